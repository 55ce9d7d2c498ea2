namespace SdNative;

/// <summary>
/// What to load from a checkpoint and where the CLIP tokenizer is. Components not asked for
/// are not read at all.
/// </summary>
/// <param name="TokenizerPath">A CLIP vocabulary (bpe_simple_vocab_16e6.txt[.gz], or a folder with
/// vocab.json + merges.txt); null searches beside the model, then SDN_TOKENIZER.</param>
/// <param name="ModelsDir">The models folder whose tokenizers/ subfolder is searched.</param>
public sealed record CheckpointLoadOptions(
    bool LoadDiffusionModel = true,
    bool LoadClip = true,
    bool LoadVae = true,
    string? TokenizerPath = null,
    string? ModelsDir = null);
