namespace SdNative;

/// <summary>
/// How an <see cref="SdnEngine"/> runs: threads (0 = physical cores), CPU kernels, and the
/// device it computes on (null = the CPU; see <see cref="ComputeDevice"/>).
/// </summary>
public sealed record SdnEngineOptions(int Threads = 0, CpuVariant CpuVariant = CpuVariant.Auto, ComputeDevice? Device = null);
