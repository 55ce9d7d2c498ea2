namespace SdNative;

/// <summary>What applying a LoRA did: the adapter modules in the file, the weights of the new
/// model and CLIP that are patched copies (every LoRA they carry counted), and the tensors of
/// the file that neither network took (each also logged as "lora key not loaded: NAME").</summary>
public sealed record LoraReport(int Modules, int ModelWeights, int ClipWeights, int KeysNotLoaded);
