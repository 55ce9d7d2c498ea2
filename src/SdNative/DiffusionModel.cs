using System.Runtime.InteropServices;
using SdNative.Interop;
using SdNative.Interop.Handles;

namespace SdNative;

/// <summary>The diffusion model (ComfyUI's MODEL, a UNet) bound to the engine that loaded it.
/// Calls run one at a time on that engine.</summary>
public sealed class DiffusionModel : IDisposable
{
    private readonly SdnModelHandle _handle;
    private readonly bool _ownsHandle;

    internal DiffusionModel(SdnEngine engine, SdnModelHandle handle)
        : this(engine, handle, ModelPrediction.Default, ownsHandle: true)
    {
    }

    private DiffusionModel(SdnEngine engine, SdnModelHandle handle, ModelPrediction predictionOverride, bool ownsHandle)
    {
        Engine = engine;
        _handle = handle;
        PredictionOverride = predictionOverride;
        _ownsHandle = ownsHandle;
    }

    /// <summary>ModelSamplingDiscrete's choice; Default keeps the type detected from the file.</summary>
    public ModelPrediction PredictionOverride { get; }

    /// <summary>What the model predicts as sampling will treat it: the override, else the file's type.</summary>
    public ModelPrediction Prediction
    {
        get
        {
            if (PredictionOverride != ModelPrediction.Default)
            {
                return PredictionOverride;
            }
            using var lease = _handle.Use();
            return ((SdnPrediction)NativeMethods.sdn_model_prediction(lease.Pointer)).ToManaged();
        }
    }

    /// <summary>ModelSamplingDiscrete: the same weights sampled as another prediction type. The
    /// view shares this model's native handle and lives no longer than it; disposing the view
    /// leaves this model alone.</summary>
    public DiffusionModel WithPrediction(ModelPrediction prediction) =>
        new(Engine, _handle, prediction, ownsHandle: false);

    public SdnEngine Engine { get; }

    internal SdnModelHandle Handle => _handle;

    public ModelArchitecture Architecture
    {
        get
        {
            using var lease = _handle.Use();
            return ((SdnArch)NativeMethods.sdn_model_arch(lease.Pointer)).ToManaged();
        }
    }

    /// <summary>KSampler / KSamplerAdvanced: samples the latent and returns the result
    /// (raw VAE space; the input's noise mask and batch_index are kept).</summary>
    public unsafe Task<Latent> SampleAsync(
        SamplerSettings settings,
        Conditioning positive,
        Conditioning negative,
        Latent latent,
        IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentNullException.ThrowIfNull(negative);
        ArgumentNullException.ThrowIfNull(latent);
        return Engine.RunAsync("Sampling", (nint ctx, out Latent result) =>
        {
            var estimate = MemoryEstimate.For(latent.Batch, latent.Width * 8, latent.Height * 8);
            estimate.EnsureFits("Sampling a latent", estimate.SamplingBytes, AvailableMemory.Read());
            using var owned = new NativeTensorSet();
            using var model = _handle.Use();
            var pos = MarshalConditioning(positive, owned);
            var neg = MarshalConditioning(negative, owned);
            nint sampler = Marshal.StringToCoTaskMemUTF8(settings.Sampler);
            nint scheduler = Marshal.StringToCoTaskMemUTF8(settings.Scheduler);
            var batchIndex = latent.BatchIndex?.Select(i => (long)i).ToArray() ?? [];
            try
            {
                sdn_sample_params_t p;
                NativeMethods.sdn_sample_params_init(&p);
                p.steps = settings.Steps;
                p.sampler = (byte*)sampler;
                p.scheduler = (byte*)scheduler;
                p.seed = settings.Seed;
                p.cfg = settings.Cfg;
                p.denoise = settings.Denoise;
                p.add_noise = settings.AddNoise ? 1 : 0;
                p.start_step = settings.StartStep;
                p.end_step = settings.EndStep;
                p.force_full_denoise = settings.ForceFullDenoise ? 1 : 0;
                p.preview_every = settings.PreviewEvery;
                p.prediction = (int)PredictionOverride.ToNative();

                sdn_latent_t l;
                NativeMethods.sdn_latent_init(&l);
                l.samples = owned.Add(latent.Samples);
                l.noise_mask = latent.NoiseMask is null ? 0 : owned.Add(latent.NoiseMask);
                nint samplesOut = 0;
                SdnStatus status;
                fixed (long* bi = batchIndex)
                fixed (sdn_cond_t* pp = pos)
                fixed (sdn_cond_t* np = neg)
                {
                    l.batch_index = batchIndex.Length == 0 ? null : bi;
                    l.batch_index_count = batchIndex.Length;
                    using var previews = PreviewDecoderScope.Set(ctx, settings.PreviewDecoder);
                    status = NativeMethods.sdn_sample(ctx, model.Pointer, &p, pp, pos.Length, np, neg.Length, &l, &samplesOut);
                }
                result = status == SdnStatus.Ok ? latent.WithSamples(NativeTensor.TakeOwnership(samplesOut)) : null!;
                if (status != SdnStatus.Ok && samplesOut != 0)
                {
                    NativeMethods.sdn_tensor_free(samplesOut);
                }
                return status;
            }
            finally
            {
                Marshal.FreeCoTaskMem(sampler);
                Marshal.FreeCoTaskMem(scheduler);
            }
        }, progress, cancellationToken);
    }

    private static unsafe sdn_cond_t[] MarshalConditioning(Conditioning conditioning, NativeTensorSet owned)
    {
        var result = new sdn_cond_t[conditioning.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var e = conditioning[i];
            sdn_cond_t c;
            NativeMethods.sdn_cond_init(&c);
            c.tokens = owned.Add(e.Tokens);
            c.pooled = e.Pooled is null ? 0 : owned.Add(e.Pooled);
            c.mask = e.Mask is null ? 0 : owned.Add(ScaledMask(e.Mask, e.MaskStrength));
            c.set_area_to_bounds = e.SetAreaToBounds ? 1 : 0;
            c.strength = e.Strength;
            c.start_percent = e.StartPercent;
            c.end_percent = e.EndPercent;
            if (e.Size is { } size)
            {
                c.has_size = 1;
                c.width = size.Width;
                c.height = size.Height;
                c.crop_w = size.CropW;
                c.crop_h = size.CropH;
                c.target_width = size.TargetWidth;
                c.target_height = size.TargetHeight;
            }
            c.aesthetic_score = e.AestheticScore ?? -1f;
            if (e.Area is { } area)
            {
                c.has_area = 1;
                c.area_h = area.H;
                c.area_w = area.W;
                c.area_y = area.Y;
                c.area_x = area.X;
            }
            result[i] = c;
        }
        return result;
    }

    /// <summary>The mask times mask_strength. The engine resizes masks bilinearly, which is
    /// linear, so scaling first gives what ComfyUI's mask * mask_strength after resizing gives.
    /// (Only strength 0 changes the "mask bounds" box, to the empty mask's; the entry then adds
    /// nothing anywhere, as in ComfyUI.)</summary>
    private static Tensor4 ScaledMask(MaskBatch mask, float maskStrength)
    {
        if (maskStrength == 1f)
        {
            return mask.Values;
        }
        var scaled = mask.Values.Clone();
        for (long i = 0; i < scaled.Count; i++)
        {
            scaled.Data[i] *= maskStrength;
        }
        return scaled;
    }

    public void Dispose()
    {
        if (_ownsHandle)
        {
            _handle.Dispose();
        }
    }
}
