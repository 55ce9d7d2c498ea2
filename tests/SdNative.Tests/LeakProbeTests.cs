using System.Runtime.InteropServices;
using SdNative.Interop;

namespace SdNative.Tests;

/// <summary>The leak probe itself: its regression on hand-computed data, and two real native
/// leaks of 100 KiB per cycle that it must catch: heap memory outside the engine's counters (by
/// the slope) and an engine tensor never freed (by the live-object counts).</summary>
[Collection(LeakMeasurementCollection.Name)]
public class LeakProbeTests
{
    [Fact]
    public void SlopeAndStandardErrorMatchTheHandComputation()
    {
        // x - mean = -1.5, -0.5, 0.5, 1.5 (sxx = 5); y - mean = -0.5, 0.5, -0.5, 0.5 (sxy = 1):
        // slope 0.2; residuals -0.2, 0.6, -0.6, 0.2 (sum of squares 0.8): error sqrt(0.8 / 2 / 5).
        var (slope, error) = LeakProbe.PooledSlope([0, 1, 0, 1], [0, 0, 0, 0]);
        Assert.Equal(0.2, slope, 12);
        Assert.Equal(Math.Sqrt(0.08), error, 12);
        // A line with a step between two pieces: the step is not slope.
        var stepped = LeakProbe.PooledSlope([3, 5.5, 8, 1000, 1002.5, 1005], [0, 0, 0, 1, 1, 1]);
        Assert.Equal(2.5, stepped.Slope, 9);
        Assert.Equal(0, stepped.StandardError, 9);
    }

    [Fact]
    public void MedianStepIgnoresRareJumpsButNotASteadyClimb()
    {
        // Flat with one -640 and one +1044 jump (as measured on a clean run): steps 0,0,-640,0,0,1044,0 -> median 0.
        Assert.Equal(0, LeakProbe.MedianStep([10, 10, 10, -630, -630, -630, 414, 414], [0, 0, 0, 0, 0, 0, 0, 0]), 9);
        // +100 per sample with the same two jumps on top: steps 100,100,-540,100,100,1144,100 -> median 100.
        Assert.Equal(100, LeakProbe.MedianStep([0, 100, 200, -340, -240, -140, 1004, 1104], [0, 0, 0, 0, 0, 0, 0, 0]), 9);
        // Steps across a piece boundary are left out: within pieces 5, 5 and 7 -> median 5.
        Assert.Equal(5, LeakProbe.MedianStep([0, 5, 10, 900, 907], [0, 0, 0, 1, 1]), 9);
    }

    [SkippableFact]
    public async Task AHundredKilobytesOfNativeHeapLeakedPerCycleIsCaught()
    {
        // Memory the engine's counters do not see (as a leaked std::vector would be): only the
        // growth per cycle can catch it.
        var path = await TestModels.CheckpointAsync();
        var leaked = new List<nint>();
        try
        {
            var probe = await LeakProbe.MeasureAsync(async () =>
            {
                await ModelPipelineTests.LoadGenerateDisposeAsync(path);
                leaked.Add(LeakHeap(100 * 1024));
            });
            Console.WriteLine(probe);
            Assert.True(probe.MedianStepBytesPerCycle > LeakProbe.SlopeLimitBytesPerCycle, $"a 100 KiB/cycle leak passed: {probe}");
            Assert.ThrowsAny<Exception>(probe.AssertNothingLeaked);
        }
        finally
        {
            leaked.ForEach(Marshal.FreeHGlobal);
        }
    }

    [SkippableFact]
    public async Task AnEngineTensorLeakedPerCycleIsCaught()
    {
        var path = await TestModels.CheckpointAsync();
        const int floats = 100 * 1024 / sizeof(float);
        var leaked = new List<nint>();
        long leakedBytes = 0;
        try
        {
            var probe = await LeakProbe.MeasureAsync(async () =>
            {
                await ModelPipelineTests.LoadGenerateDisposeAsync(path);
                // The buffer bytes the leak itself adds, read right around it: between the probe's
                // first and last reading a .NET pool thread that ran kernels may retire, and its
                // per-thread kernel scratch (engine buffers too) goes with it, by megabytes.
                long bytesBefore = LeakProbe.LiveObjects()[SdnLiveKind.EngineBufferBytes];
                leaked.Add(LeakTensor(floats));
                leakedBytes += LeakProbe.LiveObjects()[SdnLiveKind.EngineBufferBytes] - bytesBefore;
            });
            Console.WriteLine(probe);
            int cycles = LeakProbe.WarmUpCycles + LeakProbe.MeasuredCycles;
            Assert.Equal(cycles, probe.Handles.After - probe.Handles.Before);
            Assert.Equal(cycles, probe.Live[SdnLiveKind.Tensors].After - probe.Live[SdnLiveKind.Tensors].Before);
            Assert.True(leakedBytes >= cycles * floats * sizeof(float), $"the leaked tensors added {leakedBytes} engine-buffer bytes");
            Assert.Equal(LeakProbe.MeasuredCycles, probe.BufferSteps);
            Assert.ThrowsAny<Exception>(probe.AssertNothingLeaked);
        }
        finally
        {
            leaked.ForEach(NativeMethods.sdn_tensor_free);
        }
    }

    /// <summary>Native heap memory, written so that it is resident, that nobody frees.</summary>
    private static unsafe nint LeakHeap(int bytes)
    {
        nint p = Marshal.AllocHGlobal(bytes);
        new Span<byte>((void*)p, bytes).Fill(1);
        return p;
    }

    /// <summary>A zero-filled native tensor (its pages written, so resident) that nobody frees.</summary>
    private static unsafe nint LeakTensor(int floats)
    {
        long dims = floats;
        nint tensor;
        Assert.Equal(SdnStatus.Ok, NativeMethods.sdn_tensor_create(1, &dims, null, &tensor));
        return tensor;
    }
}
