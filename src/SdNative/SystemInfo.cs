using SdNative.Interop;

namespace SdNative;

/// <summary>What the native engine detected about this machine, and what it was built with.</summary>
public sealed record SystemInfo(
    string CpuName,
    int PhysicalCores,
    int LogicalCores,
    int DefaultThreads,
    SdnCpuFeature CpuFeatures,
    SdnBackend Backends,
    SdnCpuVariant BestCpuVariant,
    string LibraryVersion)
{
    public static SystemInfo Read()
    {
        var info = SdnLibrary.SystemInfo();
        return new SystemInfo(
            SdnLibrary.CpuName(info),
            info.physical_cores,
            info.logical_cores,
            info.default_threads,
            (SdnCpuFeature)info.cpu_features,
            (SdnBackend)info.backends,
            (SdnCpuVariant)info.best_cpu_variant,
            SdnLibrary.Version);
    }

    /// <summary>Feature names, e.g. "avx2 fma f16c avx512f".</summary>
    public IEnumerable<string> FeatureNames =>
        Enum.GetValues<SdnCpuFeature>().Where(f => CpuFeatures.HasFlag(f)).Select(f => f.ToString().ToLowerInvariant());
}
