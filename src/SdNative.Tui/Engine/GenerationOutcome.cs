namespace SdNative.Tui.Engine;

/// <summary>A finished generation: the files it wrote (local paths; fetched copies in remote
/// mode), the first image, and how long it took.</summary>
public sealed record GenerationOutcome(IReadOnlyList<string> Files, RgbImage? Image, TimeSpan Elapsed, int Steps);
