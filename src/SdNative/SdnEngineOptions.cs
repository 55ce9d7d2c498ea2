namespace SdNative;

/// <summary>How an <see cref="SdnEngine"/> runs: threads (0 = physical cores) and CPU kernels.</summary>
public sealed record SdnEngineOptions(int Threads = 0, CpuVariant CpuVariant = CpuVariant.Auto);
