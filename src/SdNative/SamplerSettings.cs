namespace SdNative;

/// <summary>
/// KSampler / KSamplerAdvanced inputs. The defaults are KSampler's: add noise, all steps,
/// force full denoise. KSamplerAdvanced maps to Denoise = 1, StartStep/EndStep from
/// start_at_step/end_at_step, AddNoise from add_noise, ForceFullDenoise = !return_with_leftover_noise.
/// PreviewEvery sends a preview every N steps (0 = none); PreviewDecoder, when given, makes those
/// previews TAESD images (8x the latent's size, up to 512 pixels) instead of the latent→RGB projection.
/// </summary>
public sealed record SamplerSettings(
    string Sampler = "euler",
    string Scheduler = "normal",
    int Steps = 20,
    float Cfg = 8f,
    float Denoise = 1f,
    ulong Seed = 0,
    bool AddNoise = true,
    int StartStep = 0,
    int EndStep = 10000,
    bool ForceFullDenoise = true,
    int PreviewEvery = 0,
    TaesdDecoder? PreviewDecoder = null);
