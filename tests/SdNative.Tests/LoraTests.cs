using SdNative.Interop;

namespace SdNative.Tests;

/// <summary>Lora.ApplyAsync through the managed API on the tiny model and tiny LoRA: the report,
/// the input model sampling as before, a LoRA changing the sample, a model-only application
/// reporting the text encoder's keys as not loaded, errors and no leaked handles.</summary>
public class LoraTests
{
    private static readonly SamplerSettings FewSteps = new("euler", "normal", Steps: 2, Cfg: 5f, Denoise: 1f, Seed: 42);

    private static async Task<string> LoraAsync(SdnEngine engine)
    {
        var path = Path.Combine(Path.GetDirectoryName(await TestModels.CheckpointAsync())!, $"tiny-lora-{Guid.NewGuid():N}.safetensors");
        await ModelFiles.MakeTestLoraAsync(engine, path, 7);
        return path;
    }

    private static async Task<float[]> SampleAsync(DiffusionModel model, ClipModel clip)
    {
        var positive = await clip.EncodeAsync("a red barn");
        var negative = await clip.EncodeAsync("");
        var sampled = await model.SampleAsync(FewSteps, positive, negative, Latent.Empty(64, 64));
        return sampled.Samples.Data.ToArray();
    }

    [SkippableFact]
    public async Task TheLoraChangesTheSampleAndTheInputsSampleAsBefore()
    {
        var checkpointPath = await TestModels.CheckpointAsync();
        long live = SdnLibrary.LiveObjectCount;
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 2)))
        {
            var lora = await LoraAsync(engine);
            using var checkpoint = await Checkpoint.LoadAsync(engine, checkpointPath);
            var before = await SampleAsync(checkpoint.Model!, checkpoint.Clip!);
            var applied = await Lora.ApplyAsync(engine, lora, checkpoint.Model, checkpoint.Clip, 0.8f, 0.8f);
            using (applied.Model)
            using (applied.Clip)
            {
                Assert.Equal(new LoraReport(Modules: 60, ModelWeights: 48, ClipWeights: 12, KeysNotLoaded: 0), applied.Report);
                var withLora = await SampleAsync(applied.Model!, applied.Clip!);
                Assert.NotEqual(before, withLora);
                Assert.Equal(before, await SampleAsync(checkpoint.Model!, checkpoint.Clip!));
            }
            var modelOnly = await Lora.ApplyAsync(engine, lora, checkpoint.Model, null);
            using (modelOnly.Model)
            {
                Assert.Null(modelOnly.Clip);
                // The CLIP modules' 36 tensors had no text encoder to go to.
                Assert.Equal(new LoraReport(60, 48, 0, 36), modelOnly.Report);
            }
            File.Delete(lora);
        }
        Assert.Equal(live, SdnLibrary.LiveObjectCount);
    }

    [SkippableFact]
    public async Task BadCallsFailWithTheReason()
    {
        var checkpointPath = await TestModels.CheckpointAsync();
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
        using var checkpoint = await Checkpoint.LoadAsync(engine, checkpointPath);
        await Assert.ThrowsAsync<ArgumentException>(() => Lora.ApplyAsync(engine, "any.safetensors", null, null));
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-lora-{Guid.NewGuid():N}.safetensors");
        var error = await Assert.ThrowsAsync<SdnException>(() => Lora.ApplyAsync(engine, missing, checkpoint.Model, checkpoint.Clip));
        Assert.Contains(Path.GetFileName(missing), error.Message);
        var notALora = await Assert.ThrowsAsync<SdnException>(() => Lora.ApplyAsync(engine, checkpointPath, checkpoint.Model, null));
        Assert.Contains("no LoRA module", notALora.Message);
    }

    [SkippableFact]
    public async Task OnAQuantizedModelTheSidePathSamplesAsTheCopies()
    {
        var dir = Path.GetDirectoryName(await TestModels.CheckpointAsync())!;
        var gguf = Path.Combine(dir, $"tiny-q8-{Guid.NewGuid():N}.gguf");
        using var engine = Float32Engine();
        await ModelFiles.MakeTestModelAsync(engine, gguf, "q8_0", 1234);
        var lora = await LoraAsync(engine);
        using var checkpoint = await Checkpoint.LoadAsync(engine, gguf, new CheckpointLoadOptions(TokenizerPath: TestModels.Vocabulary()));
        var plain = await SampleAsync(checkpoint.Model!, checkpoint.Clip!);
        var copies = await Lora.ApplyAsync(engine, lora, checkpoint.Model, null);
        var side = await Lora.ApplyAsync(engine, lora, checkpoint.Model, null, sidePath: true);
        using (copies.Model)
        using (side.Model)
        {
            Assert.Equal(copies.Report, side.Report);
            var a = await SampleAsync(copies.Model!, checkpoint.Clip!);
            var b = await SampleAsync(side.Model!, checkpoint.Clip!);
            // The copies are the merge rounded to f16; the side path adds the exact product: close,
            // but not the same computation.
            Assert.NotEqual(a, b);
            Assert.True(Rms(a, b) < 0.01 * Rms(a, plain), $"side path {Rms(a, b)} vs LoRA effect {Rms(a, plain)}");
        }
        File.Delete(lora);
        File.Delete(gguf);
    }

    /// <summary>An engine whose matrix products are float32: the bfloat16 operand rounding of the
    /// AMX and AVX512-BF16 variants (their default) would swamp the f16-copy-vs-exact-product
    /// difference the side-path test measures.</summary>
    private static SdnEngine Float32Engine()
    {
        var engine = new SdnEngine(new SdnEngineOptions(Threads: 2));
        if (engine.CpuVariant is not (CpuVariant.Avx512Amx or CpuVariant.Avx512Bf16))
        {
            return engine;
        }
        engine.Dispose();
        return new SdnEngine(new SdnEngineOptions(Threads: 2, CpuVariant: CpuVariant.Avx512));
    }

    private static double Rms(float[] x, float[] y) => Math.Sqrt(x.Zip(y, (p, q) => (double)(p - q) * (p - q)).Average());
}
