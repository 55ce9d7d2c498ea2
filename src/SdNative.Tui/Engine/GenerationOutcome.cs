namespace SdNative.Tui.Engine;

/// <summary>A finished generation: the files it wrote (local paths; fetched copies in remote
/// mode), the first image, and how long it took.</summary>
public sealed record GenerationOutcome(IReadOnlyList<string> Files, RgbImage? Image, TimeSpan Elapsed, int Steps)
{
    /// <summary>Nothing ran: the prompt was the last one unchanged, and Files are what it wrote then.</summary>
    public bool Cached { get; init; }
}
