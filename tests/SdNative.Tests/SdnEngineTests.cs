using Microsoft.Extensions.Logging;
using SdNative.Interop;

namespace SdNative.Tests;

public class SdnEngineTests
{
    [Fact]
    public async Task NoiseMatchesTorchVectorsFromTheSpec()
    {
        // Spec appendix "noise test vectors": torch.randn with a CPU generator, seed 42, 1x4x8x8.
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
        var noise = await engine.NoiseAsync(42, [1, 4, 8, 8]);
        Assert.Equal([1, 4, 8, 8], noise.Shape);
        float[] first = [1.9269153f, 1.4872841f, 0.9007172f, -2.1055210f, 0.6784185f, -1.2345449f];
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(first[i], noise.Data[i], 1e-5f);
        }
        Assert.Equal(0.2224537f, noise.Data[^1], 1e-5f);
        Assert.Equal(16.1386753, noise.Data.Sum(v => (double)v), 1e-3);
    }

    [Fact]
    public async Task NoiseWithBatchIndexPicksThatItemOfTheLargerBatch()
    {
        // Seed 0, 2x4x8x12 from the spec: batch item 1 starts after 4*8*12 values of item 0.
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
        var both = await engine.NoiseAsync(0, [2, 4, 8, 12]);
        Assert.Equal(-1.1258398f, both.Data[0], 1e-5f);
        Assert.Equal(-0.2326160f, both.Data[^1], 1e-5f);
        var second = await engine.NoiseAsync(0, [1, 4, 8, 12], [1]);
        // ComfyUI's prepare_noise draws max(batch_index)+1 items and keeps the one asked for.
        Assert.Equal(both.Data.AsSpan(4 * 8 * 12).ToArray(), second.Data);
    }

    [Fact]
    public async Task FailedCallsBecomeSdnExceptionWithTheContextMessage()
    {
        using var engine = new SdnEngine();
        var e = await Assert.ThrowsAsync<SdnException>(() => engine.NoiseAsync(1, [1, 4, -3, 8]));
        Assert.Equal(EngineStatus.InvalidArgument, e.Status);
        Assert.Contains("Noise generation failed", e.Message);
        Assert.True(e.Message.Length > "Noise generation failed: ".Length);
        // The engine is still usable after a failure.
        var ok = await engine.NoiseAsync(7, [1, 1, 1, 3]);
        Assert.Equal(-0.1467951f, ok.Data[0], 1e-5f);
    }

    [Fact]
    public async Task AnAlreadyCancelledTokenDoesNotRunTheJob()
    {
        using var engine = new SdnEngine();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.NoiseAsync(1, [1, 4, 8, 8], null, cts.Token));
        // The next job is not affected by the earlier cancellation.
        var ok = await engine.NoiseAsync(7, [1, 1, 1, 3]);
        Assert.Equal(3, ok.Count);
    }

    [Fact]
    public void OptionsReachTheContext()
    {
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 2, CpuVariant: CpuVariant.Scalar));
        Assert.Equal(2, engine.ThreadCount);
        Assert.Equal(CpuVariant.Scalar, engine.CpuVariant);
    }

    [Fact]
    public void DisposingReleasesTheContextAndIsIdempotent()
    {
        long before = SdnLibrary.LiveObjectCount;
        var engine = new SdnEngine();
        Assert.Equal(before + 1, SdnLibrary.LiveObjectCount);
        engine.Dispose();
        engine.Dispose();
        Assert.Equal(before, SdnLibrary.LiveObjectCount);
        Assert.Throws<ObjectDisposedException>(() => engine.NoiseAsync(1, [1, 1, 1, 1]).GetAwaiter().GetResult());
    }

    [SkippableFact]
    public void ACpuVariantTheMachineLacksFailsWithAnExplanation()
    {
        // From the plainest up (Avx512Bf16 is numbered after Avx512Amx but needs less), the
        // variant after the best is one the CPU lacks.
        CpuVariant[] ladder = [CpuVariant.Scalar, CpuVariant.Avx2, CpuVariant.Avx512, CpuVariant.Avx512Bf16, CpuVariant.Avx512Amx];
        var best = SystemInfo.Read().BestCpuVariant;
        Skip.If(best == CpuVariant.Avx512Amx, "this CPU runs every variant (AMX included): none to refuse");
        var lacking = ladder[Array.IndexOf(ladder, best) + 1];
        var e = Assert.Throws<SdnException>(() => new SdnEngine(new SdnEngineOptions(CpuVariant: lacking)));
        Assert.Contains(lacking.ToString(), e.Message);
    }
}
