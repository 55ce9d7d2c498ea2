namespace SdNative;

/// <summary>A progress report: step is 1-based (0 when a stage starts); Preview is set when the
/// sampler sent a cheap RGB preview of the current latent.</summary>
public sealed record GenerationProgress(GenerationStage Stage, int Step, int Total, ImageBatch? Preview = null);
