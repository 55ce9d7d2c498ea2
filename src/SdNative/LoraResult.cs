namespace SdNative;

/// <summary>The model and CLIP a LoRA was applied to (null where none was given), owned by the
/// caller, and what the application did.</summary>
public sealed record LoraResult(DiffusionModel? Model, ClipModel? Clip, LoraReport Report);
