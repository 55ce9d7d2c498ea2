
namespace SdNative.Tests;

public class SystemInfoTests
{
    [Fact]
    public void ReadsWhatTheNativeEngineDetected()
    {
        var info = SystemInfo.Read();
        Assert.True(info.PhysicalCores >= 1);
        Assert.True(info.Backends.HasFlag(ComputeBackends.Cpu));
        Assert.Equal(info.PhysicalCores, info.DefaultThreads);
        Assert.Matches(@"^\d+\.\d+\.\d+$", info.LibraryVersion);
        // The CPU flags in /proc/cpuinfo are an independent source for what the engine reports.
        var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags")).Split(' ').ToHashSet();
        Assert.Equal(flags.Contains("avx2"), info.CpuFeatures.HasFlag(CpuFeatures.Avx2));
        Assert.Equal(flags.Contains("avx512f"), info.CpuFeatures.HasFlag(CpuFeatures.Avx512f));
        Assert.Equal(flags.Contains("avx512_bf16"), info.CpuFeatures.HasFlag(CpuFeatures.Avx512Bf16));
    }
}
