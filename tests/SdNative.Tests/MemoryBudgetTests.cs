namespace SdNative.Tests;

/// <summary>SdnEngineOptions.MemoryBudgetBytes reaches the engine: a negative cap is refused when
/// the engine is made, a generous one leaves the decode as it is, and one no VAE tile fits fails
/// the decode with an out-of-memory error naming the budget and the tile (the native tests check
/// that a budget between the two decodes in the tiles it allows).</summary>
public class MemoryBudgetTests
{
    private static Latent Smooth(int h, int w)
    {
        var data = new float[4 * h * w];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = 0.5f * MathF.Sin(0.37f * i);
        }
        return new Latent(new Tensor4([1, 4, h, w], data));
    }

    private static async Task<Tensor4> DecodeAsync(SdnEngineOptions options, Latent latent)
    {
        using var engine = new SdnEngine(options);
        using var checkpoint = await Checkpoint.LoadAsync(engine, await TestModels.CheckpointAsync());
        return (await checkpoint.Vae!.DecodeAsync(latent)).Pixels;
    }

    [Fact]
    public void ANegativeBudgetIsRefusedWhenTheEngineIsMade()
    {
        var e = Assert.Throws<SdnException>(() => new SdnEngine(new SdnEngineOptions(Threads: 1, MemoryBudgetBytes: -5)));
        Assert.Contains("memory budget=-5 bytes", e.Message);
    }

    [SkippableFact]
    public async Task AGenerousBudgetDecodesAsWithoutOne()
    {
        var latent = Smooth(8, 6);
        var free = await DecodeAsync(new SdnEngineOptions(Threads: 1), latent);
        var capped = await DecodeAsync(new SdnEngineOptions(Threads: 1, MemoryBudgetBytes: 1L << 30), latent);
        Assert.Equal(free.Data, capped.Data);
    }

    [SkippableFact]
    public async Task ABudgetNoTileFitsFailsTheDecodeNamingIt()
    {
        var e = await Assert.ThrowsAsync<SdnException>(() => DecodeAsync(new SdnEngineOptions(Threads: 1, MemoryBudgetBytes: 1), Smooth(8, 6)));
        Assert.Equal(EngineStatus.OutOfMemory, e.Status);
        Assert.Contains("the memory budget of", e.Message);
        Assert.Contains("8x6 latent", e.Message);
        Assert.Contains("smallest tile (16 pixels)", e.Message);
    }
}
