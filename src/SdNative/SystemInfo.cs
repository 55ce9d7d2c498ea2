using SdNative.Interop;

namespace SdNative;

/// <summary>What the native engine detected about this machine, and what it was built with.</summary>
public sealed record SystemInfo(
    string CpuName,
    int PhysicalCores,
    int LogicalCores,
    int DefaultThreads,
    CpuFeatures CpuFeatures,
    ComputeBackends Backends,
    CpuVariant BestCpuVariant,
    string LibraryVersion,
    IReadOnlyList<GpuDevice> Devices)
{
    public static SystemInfo Read()
    {
        var info = SdnLibrary.SystemInfo();
        return new SystemInfo(
            SdnLibrary.CpuName(info),
            info.physical_cores,
            info.logical_cores,
            info.default_threads,
            InteropMapping.CpuFeaturesOf(info.cpu_features),
            InteropMapping.BackendsOf(info.backends),
            ((SdnCpuVariant)info.best_cpu_variant).ToManaged(),
            SdnLibrary.Version,
            GpuDevice.List());
    }

    /// <summary>Feature names, e.g. "avx2 fma f16c avx512f".</summary>
    public IEnumerable<string> FeatureNames =>
        Enum.GetValues<CpuFeatures>().Where(f => f != CpuFeatures.None && CpuFeatures.HasFlag(f)).Select(f => f.ToString().ToLowerInvariant());
}
