namespace SdNative;

/// <summary>
/// How an <see cref="SdnEngine"/> runs: threads (0 = physical cores), CPU kernels, and the
/// device it computes on (null = the CPU; see <see cref="ComputeDevice"/>), and a cap on the
/// memory it may use (0 = none; <see cref="ByteSize.TryParse"/> parses "6G" and the like).
/// </summary>
/// <param name="MemoryBudgetBytes">On a GPU, its memory (weights and buffers); on the CPU, the
/// engine's buffers (weights stay in the mapped file). Without a cap the CPU's budget is what
/// the machine can give (MemAvailable, bounded by a cgroup memory limit) less a reserve. A VAE
/// decode that would not fit the budget runs in tiles that do; one too small for any tile fails
/// with <see cref="EngineStatus.OutOfMemory"/> naming the sizes.</param>
public sealed record SdnEngineOptions(int Threads = 0, CpuVariant CpuVariant = CpuVariant.Auto, ComputeDevice? Device = null, long MemoryBudgetBytes = 0);
