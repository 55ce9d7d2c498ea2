namespace SdNative;

/// <summary>What the engine is doing when it reports progress (mirrors <c>sdn_stage</c>).</summary>
public enum GenerationStage
{
    Load = 0,
    TextEncode = 1,
    VaeEncode = 2,
    Sampling = 3,
    Unet = 4,
    VaeDecode = 5,
    Convert = 6,
}
