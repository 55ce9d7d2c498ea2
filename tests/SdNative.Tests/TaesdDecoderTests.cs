namespace SdNative.Tests;

/// <summary>TAESD through the managed API: the per-step previews a sampler reports are the
/// decoder's images (8x the latent) when one is given and the latent→RGB projection (1x) when
/// not; decoding, and a file without a decoder refused by name.</summary>
public class TaesdDecoderTests
{
    private static Conditioning Cond(float value)
    {
        var tokens = new Tensor4([1, 77, 64]);
        for (int i = 0; i < tokens.Data.Length; i++)
        {
            tokens.Data[i] = value * MathF.Cos(i * 0.21f);
        }
        return new Conditioning(new ConditioningEntry(tokens));
    }

    private static string TempPath(string name) =>
        Path.Combine(Path.GetTempPath(), $"sdn-taesd-{Environment.ProcessId}-{Guid.NewGuid():N}-{name}");

    private static async Task<(Latent Result, List<ImageBatch> Previews)> SampleAsync(SdnEngine engine, DiffusionModel model, TaesdDecoder? decoder)
    {
        var previews = new List<ImageBatch>();
        var settings = new SamplerSettings("euler", "normal", Steps: 2, Cfg: 3f, Seed: 5, PreviewEvery: 1, PreviewDecoder: decoder);
        var result = await model.SampleAsync(settings, Cond(1f), Cond(-1f), Latent.Empty(64, 64),
            new InlineProgress(p => { if (p.Preview is { } image) previews.Add(image); }));
        return (result, previews);
    }

    [Fact]
    public async Task SamplerPreviewsAreTaesdImagesWithADecoderAndTheProjectionWithout()
    {
        string modelPath = TempPath("tiny.safetensors"), taesdPath = TempPath("taesd_decoder.safetensors");
        try
        {
            using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
            await ModelFiles.MakeTestModelAsync(engine, modelPath, "f32", 3);
            await ModelFiles.MakeTestTaesdAsync(engine, taesdPath, width: 8, seed: 4);
            using var checkpoint = await Checkpoint.LoadAsync(engine, modelPath, new CheckpointLoadOptions(LoadClip: false, LoadVae: false));
            using var decoder = await TaesdDecoder.LoadAsync(engine, taesdPath);

            var (result, withTaesd) = await SampleAsync(engine, checkpoint.Model!, decoder);
            Assert.Equal(2, withTaesd.Count);
            Assert.All(withTaesd, p => Assert.Equal((64, 64), (p.Width, p.Height)));
            // Euler's last step lands on its denoised prediction: the last preview is the TAESD
            // image of the result (within a byte: previews are bytes, truncated).
            var decoded = await decoder.DecodeAsync(result, TaesdDecoder.LatentScaleOf(checkpoint.Model!.Architecture));
            Assert.Equal((64, 64), (decoded.Width, decoded.Height));
            var last = withTaesd[^1].Pixels.Data;
            for (int i = 0; i < last.Length; i++)
            {
                Assert.True(MathF.Abs(last[i] - decoded.Pixels.Data[i]) <= 1.01f / 255f, $"pixel value {i}: {last[i]} vs {decoded.Pixels.Data[i]}");
            }

            var (_, projected) = await SampleAsync(engine, checkpoint.Model, null);
            Assert.Equal(2, projected.Count);
            Assert.All(projected, p => Assert.Equal((8, 8), (p.Width, p.Height)));
        }
        finally
        {
            File.Delete(modelPath);
            File.Delete(taesdPath);
        }
    }

    [Fact]
    public async Task AFileWithoutADecoderIsRefusedByName()
    {
        string modelPath = TempPath("not_taesd.safetensors");
        try
        {
            using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
            await ModelFiles.MakeTestModelAsync(engine, modelPath, "f32", 3);
            var error = await Assert.ThrowsAsync<SdnException>(() => TaesdDecoder.LoadAsync(engine, modelPath));
            Assert.Contains("holds no TAESD decoder", error.Message);
            Assert.Contains("not_taesd.safetensors", error.Message);
        }
        finally
        {
            File.Delete(modelPath);
        }
    }

    private sealed class InlineProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
