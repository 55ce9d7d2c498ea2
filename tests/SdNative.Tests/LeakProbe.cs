using System.Runtime.InteropServices;
using SdNative.Interop;

namespace SdNative.Tests;

/// <summary>
/// Runs a load/generate/dispose cycle many times and measures what it leaves behind: the growth
/// per cycle (the median step between cycles, after a warm-up that lets caches settle) of the native memory
/// in use, and the library's live objects of every kind (handles and the engine's internal
/// buffers, thread pools and open files).
/// </summary>
/// <remarks>
/// Native memory in use: the bytes the C heap has handed out and not got back (glibc's
/// mallinfo2: arena and mmapped chunks) plus the engine's own buffers (which large arrays map
/// straight from the OS). Resident memory would also count the runtime's JIT code and allocator
/// pages freed but kept, which moved by 100 KiB per cycle in clean runs on a loaded machine,
/// while a leaked block of heap memory could reuse such pages and hardly move it. The runtime
/// allocates from the C heap too when it re-JITs hot methods, so this test project compiles
/// every method once, fully (TieredCompilation off in its project file).
/// <para>Threads: a job runs on whichever .NET pool thread picks it up, and a thread running its
/// first job keeps its kernel scratch (engine buffers) for good, in one step however many cycles
/// follow. Those steps are bounded by the number of pool threads and are not a per-cycle leak,
/// so the cycles are split where the engine-buffer count moved and steps are taken (and the slope
/// fitted) within the pieces only. A leak of engine buffers moves that
/// count in every cycle: more than <see cref="MaxThreadSteps"/> such cycles fail on their own.</para>
/// <para>Threshold (the checks compare the median step, <see cref="MedianStep"/>; the slope is
/// reported beside it): the slope estimate from n evenly spaced samples with independent noise of
/// standard deviation s has a standard error of s / sqrt(n (n² - 1) / 12). With n = 40 that is
/// s / 73: the jitter of the heap in use between cycles is a few KiB to tens of KiB, far under
/// 1 MiB, so the error is under 14 KiB/cycle even if pieces shorten it a few times over. A limit
/// of 50 KiB/cycle therefore passes a clean cycle and fails a 100 KiB per-cycle leak, each by
/// more than three standard errors; <see cref="LeakProbeTests"/> injects such leaks to show
/// that they are caught. The cycles work on 128×128 images so that every activation buffer of
/// the VAE is far above 100 KiB: leaking any one of them per cycle fails too.</para>
/// </remarks>
internal sealed class LeakProbe
{
    public const int WarmUpCycles = 20;
    public const int MeasuredCycles = 40;
    public const int MaxThreadSteps = 4;
    public const double SlopeLimitBytesPerCycle = 50 * 1024;
    /// <summary>Resident memory may still creep where the heap keeps freed pages instead of
    /// returning them (what the engine's heap trimming is for); a coarse bound over the measured
    /// cycles, as new pool threads and the runtime move it by a few MiB too.</summary>
    public const long ResidentGrowthLimitBytes = 16L << 20;

    public double SlopeBytesPerCycle { get; private init; }
    /// <summary>The median growth from one measured cycle to the next (within a piece): what the
    /// leak checks compare with the limit. See <see cref="MedianStep"/> for why not the slope.</summary>
    public double MedianStepBytesPerCycle { get; private init; }
    public double SlopeStandardError { get; private init; }
    /// <summary>Measured cycles after which the engine-buffer count differed from the cycle before.</summary>
    public int BufferSteps { get; private init; }
    public IReadOnlyDictionary<SdnLiveKind, (long Before, long After)> Live { get; private init; } = new Dictionary<SdnLiveKind, (long, long)>();
    public (long Before, long After) Handles { get; private init; }
    public long ResidentGrowthBytes { get; private init; }

    public static async Task<LeakProbe> MeasureAsync(Func<Task> cycle)
    {
        long handlesBefore = SdnLibrary.LiveObjectCount;
        var before = LiveObjects();
        for (int i = 0; i < WarmUpCycles; i++)
        {
            await cycle();
        }
        var inUse = new double[MeasuredCycles];
        var piece = new int[MeasuredCycles];
        long buffers = LiveObjects()[SdnLiveKind.EngineBuffers];
        int steps = 0;
        long residentBefore = ResidentBytesOutsideTheManagedHeap();
        for (int i = 0; i < MeasuredCycles; i++)
        {
            await cycle();
            inUse[i] = NativeBytesInUse();
            long now = LiveObjects()[SdnLiveKind.EngineBuffers];
            if (now != buffers)
            {
                steps++;
                buffers = now;
            }
            piece[i] = steps;
        }
        var after = LiveObjects();
        long residentGrowth = ResidentBytesOutsideTheManagedHeap() - residentBefore;
        var (slope, error) = PooledSlope(inUse, piece);
        return new LeakProbe
        {
            SlopeBytesPerCycle = slope,
            MedianStepBytesPerCycle = MedianStep(inUse, piece),
            SlopeStandardError = error,
            BufferSteps = steps,
            ResidentGrowthBytes = residentGrowth,
            Live = before.Keys.ToDictionary(k => k, k => (before[k], after[k])),
            Handles = (handlesBefore, SdnLibrary.LiveObjectCount),
        };
    }

    /// <summary>Fails naming what grew: the memory slope, engine buffers in many cycles, or any
    /// other kind of live object.</summary>
    public void AssertNothingLeaked()
    {
        Assert.True(BufferSteps <= MaxThreadSteps, $"the engine-buffer count changed in {BufferSteps} of {MeasuredCycles} cycles: {this}");
        Assert.True(MedianStepBytesPerCycle < SlopeLimitBytesPerCycle,
            $"native memory in use grows {MedianStepBytesPerCycle / 1024:F1} KiB per cycle (median step; limit {SlopeLimitBytesPerCycle / 1024:F0}): {this}");
        Assert.True(ResidentGrowthBytes < ResidentGrowthLimitBytes, $"resident memory grew {ResidentGrowthBytes >> 10} KiB over {MeasuredCycles} cycles");
        Assert.Equal(Handles.Before, Handles.After);
        foreach (var (kind, (b, a)) in Live.Where(kv => kv.Key is not (SdnLiveKind.EngineBuffers or SdnLiveKind.EngineBufferBytes)))
        {
            Assert.True(a == b, $"live {kind}: {b} before the cycles, {a} after");
        }
    }

    public override string ToString() =>
        $"median step {MedianStepBytesPerCycle / 1024:F1} KiB/cycle, slope {SlopeBytesPerCycle / 1024:F1} ± {SlopeStandardError / 1024:F1} KiB/cycle, {BufferSteps} engine-buffer steps, resident +{ResidentGrowthBytes >> 10} KiB; " +
        string.Join(", ", Live.Select(kv => $"{kv.Key} {kv.Value.Before}->{kv.Value.After}"));

    public static Dictionary<SdnLiveKind, long> LiveObjects() =>
        Enum.GetValues<SdnLiveKind>().Where(k => k != SdnLiveKind.KindCount)
            .ToDictionary(k => k, k => NativeMethods.sdn_debug_live_objects((int)k));

    /// <summary>
    /// The median of the differences between consecutive samples of the same piece. The heap in
    /// use moves in rare one-off jumps as well (hundreds of KiB to a MiB when a thread's arena or
    /// a runtime cache is freed or grown: seen here as a -640 KiB and a +1 MiB step within 40 clean
    /// cycles), and one such jump tilts a least-squares slope by tens of KiB/cycle either way,
    /// enough to hide a 100 KiB/cycle leak or to fail a clean run. A per-cycle leak moves every
    /// step, so the median sees it in full while a few jumps cannot move it.
    /// </summary>
    public static double MedianStep(IReadOnlyList<double> y, IReadOnlyList<int> piece)
    {
        var steps = Enumerable.Range(1, y.Count - 1).Where(i => piece[i] == piece[i - 1])
            .Select(i => y[i] - y[i - 1]).Order().ToList();
        if (steps.Count == 0)
        {
            return double.NaN;
        }
        int mid = steps.Count / 2;
        return steps.Count % 2 == 1 ? steps[mid] : (steps[mid - 1] + steps[mid]) / 2;
    }

    /// <summary>Least-squares slope of samples against their index with a separate intercept for
    /// each piece (samples with the same piece number), and its standard error from the
    /// residuals. One piece is the ordinary regression line.</summary>
    public static (double Slope, double StandardError) PooledSlope(IReadOnlyList<double> y, IReadOnlyList<int> piece)
    {
        var groups = Enumerable.Range(0, y.Count).GroupBy(i => piece[i]).ToList();
        double sxx = 0, sxy = 0;
        foreach (var g in groups)
        {
            double meanX = g.Average(i => (double)i), meanY = g.Average(i => y[i]);
            sxx += g.Sum(i => (i - meanX) * (i - meanX));
            sxy += g.Sum(i => (i - meanX) * (y[i] - meanY));
        }
        if (sxx == 0)
        {
            return (double.NaN, double.NaN);  // every piece a single sample: no slope to fit
        }
        double slope = sxy / sxx, residual2 = 0;
        foreach (var g in groups)
        {
            double meanX = g.Average(i => (double)i), meanY = g.Average(i => y[i]);
            residual2 += g.Sum(i => Math.Pow(y[i] - meanY - slope * (i - meanX), 2));
        }
        int freedom = y.Count - groups.Count - 1;
        return (slope, freedom > 0 ? Math.Sqrt(residual2 / freedom / sxx) : double.NaN);
    }
    /// <summary>Bytes of native memory in use (see the remarks): the C heap's in-use arena and
    /// mmapped chunks plus the engine's buffers. Collects first so that finalizable handles
    /// are gone.</summary>
    public static long NativeBytesInUse()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = mallinfo2();
        return (long)(heap.uordblks + heap.hblkhd) + NativeMethods.sdn_debug_live_objects((int)SdnLiveKind.EngineBufferBytes);
    }

    /// <summary>RSS less what the .NET GC has committed: the GC sizes its own heap by cache size
    /// and load, so its growth says nothing about native memory.</summary>
    public static long ResidentBytesOutsideTheManagedHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        long resident = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return resident - GC.GetGCMemoryInfo().TotalCommittedBytes;
    }

    /// <summary>glibc's struct mallinfo2 (all size_t).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern MallInfo2 mallinfo2();
}
