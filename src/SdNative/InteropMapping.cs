using SdNative.Interop;

namespace SdNative;

/// <summary>
/// The one place where the generated interop enums meet the managed API's own types. Callers of
/// SdNative never see an interop type; a value added to the C header without a managed
/// counterpart fails here (and in the tests that walk every generated value), not silently.
/// </summary>
internal static class InteropMapping
{
    public static EngineStatus ToManaged(this SdnStatus status) => status switch
    {
        SdnStatus.Ok => EngineStatus.Ok,
        SdnStatus.ErrInvalidArgument => EngineStatus.InvalidArgument,
        SdnStatus.ErrIo => EngineStatus.Io,
        SdnStatus.ErrFormat => EngineStatus.Format,
        SdnStatus.ErrUnsupported => EngineStatus.Unsupported,
        SdnStatus.ErrOutOfMemory => EngineStatus.OutOfMemory,
        SdnStatus.ErrCancelled => EngineStatus.Cancelled,
        SdnStatus.ErrNotFound => EngineStatus.NotFound,
        _ => EngineStatus.Internal,
    };

    private static readonly (SdnCpuVariant Native, CpuVariant Managed)[] VariantPairs =
    [
        (SdnCpuVariant.Auto, CpuVariant.Auto),
        (SdnCpuVariant.Scalar, CpuVariant.Scalar),
        (SdnCpuVariant.Avx2, CpuVariant.Avx2),
        (SdnCpuVariant.Avx512, CpuVariant.Avx512),
        (SdnCpuVariant.Avx512Amx, CpuVariant.Avx512Amx),
        (SdnCpuVariant.Avx512Bf16, CpuVariant.Avx512Bf16),
    ];

    public static SdnCpuVariant ToNative(this CpuVariant variant)
    {
        foreach (var pair in VariantPairs.Where(p => p.Managed == variant))
        {
            return pair.Native;
        }
        throw new ArgumentOutOfRangeException(nameof(variant), variant, "not a CPU variant");
    }

    public static CpuVariant ToManaged(this SdnCpuVariant variant)
    {
        foreach (var pair in VariantPairs.Where(p => p.Native == variant))
        {
            return pair.Managed;
        }
        throw new ArgumentOutOfRangeException(nameof(variant), variant, "libsdnative reported a CPU variant this API does not know");
    }

    public static ModelArchitecture ToManaged(this SdnArch arch) => arch switch
    {
        SdnArch.Sd1 => ModelArchitecture.Sd1,
        SdnArch.Sd2 => ModelArchitecture.Sd2,
        SdnArch.Sdxl => ModelArchitecture.Sdxl,
        SdnArch.SdxlRefiner => ModelArchitecture.SdxlRefiner,
        _ => ModelArchitecture.Unknown,
    };

    private static readonly (SdnCpuFeature Native, CpuFeatures Managed)[] FeaturePairs =
    [
        (SdnCpuFeature.Sse42, CpuFeatures.Sse42),
        (SdnCpuFeature.Avx, CpuFeatures.Avx),
        (SdnCpuFeature.Avx2, CpuFeatures.Avx2),
        (SdnCpuFeature.Fma, CpuFeatures.Fma),
        (SdnCpuFeature.F16c, CpuFeatures.F16c),
        (SdnCpuFeature.Avx512f, CpuFeatures.Avx512f),
        (SdnCpuFeature.Avx512bw, CpuFeatures.Avx512bw),
        (SdnCpuFeature.Avx512vl, CpuFeatures.Avx512vl),
        (SdnCpuFeature.Avx512dq, CpuFeatures.Avx512dq),
        (SdnCpuFeature.Avx512Bf16, CpuFeatures.Avx512Bf16),
        (SdnCpuFeature.Avx512Vnni, CpuFeatures.Avx512Vnni),
        (SdnCpuFeature.AvxVnni, CpuFeatures.AvxVnni),
        (SdnCpuFeature.AmxBf16, CpuFeatures.AmxBf16),
        (SdnCpuFeature.AmxInt8, CpuFeatures.AmxInt8),
    ];

    /// <summary>The sdn_cpu_feature bits of a system-info mask as managed flags.</summary>
    public static CpuFeatures CpuFeaturesOf(long nativeMask) =>
        FeaturePairs.Where(p => (nativeMask & (long)p.Native) != 0).Aggregate(CpuFeatures.None, (all, p) => all | p.Managed);

    private static readonly (SdnBackend Native, ComputeBackends Managed)[] BackendPairs =
    [
        (SdnBackend.Cpu, ComputeBackends.Cpu),
        (SdnBackend.Vulkan, ComputeBackends.Vulkan),
        (SdnBackend.Cuda, ComputeBackends.Cuda),
    ];

    /// <summary>The sdn_backend bits of a system-info mask as managed flags.</summary>
    public static ComputeBackends BackendsOf(long nativeMask) =>
        BackendPairs.Where(p => (nativeMask & (long)p.Native) != 0).Aggregate(ComputeBackends.None, (all, p) => all | p.Managed);

    /// <summary>The sdn_context_options backend value for a device kind: 0 lets the engine choose.</summary>
    public static int ToNativeBackend(this ComputeDeviceKind kind) => kind switch
    {
        ComputeDeviceKind.Auto => 0,
        ComputeDeviceKind.Vulkan => (int)SdnBackend.Vulkan,
        _ => (int)SdnBackend.Cpu,
    };

    public static GenerationStage ToManaged(this SdnStage stage) => stage switch
    {
        SdnStage.Load => GenerationStage.Load,
        SdnStage.TextEncode => GenerationStage.TextEncode,
        SdnStage.VaeEncode => GenerationStage.VaeEncode,
        SdnStage.Sampling => GenerationStage.Sampling,
        SdnStage.Unet => GenerationStage.Unet,
        SdnStage.VaeDecode => GenerationStage.VaeDecode,
        SdnStage.Convert => GenerationStage.Convert,
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "libsdnative reported a stage this API does not know"),
    };

    public static ModelPrediction ToManaged(this SdnPrediction prediction) => prediction switch
    {
        SdnPrediction.Eps => ModelPrediction.Eps,
        SdnPrediction.V => ModelPrediction.V,
        _ => ModelPrediction.Default,
    };

    public static SdnPrediction ToNative(this ModelPrediction prediction) => prediction switch
    {
        ModelPrediction.Eps => SdnPrediction.Eps,
        ModelPrediction.V => SdnPrediction.V,
        _ => SdnPrediction.Default,
    };
}
