using Microsoft.Extensions.Logging;
using SdNative.Interop;

namespace SdNative.Tests;

/// <summary>Load / encode / sample / decode through the managed API on a tiny random model.</summary>
[Collection(LeakMeasurementCollection.Name)]
public class ModelPipelineTests
{
    private static readonly SamplerSettings FewSteps = new("euler", "normal", Steps: 3, Cfg: 5f, Denoise: 1f, Seed: 42);

    private static async Task<Tensor4> GenerateAsync(SdnEngine engine, string checkpointPath, IProgress<GenerationProgress>? progress = null, CancellationToken token = default)
    {
        using var checkpoint = await Checkpoint.LoadAsync(engine, checkpointPath);
        var positive = await checkpoint.Clip!.EncodeAsync("a red barn");
        var negative = await checkpoint.Clip.EncodeAsync("");
        var latent = Latent.Empty(64, 64);
        var sampled = await checkpoint.Model!.SampleAsync(FewSteps, positive, negative, latent, progress, token);
        var image = await checkpoint.Vae!.DecodeAsync(sampled);
        Assert.Equal([1, 64, 64, 3], image.Pixels.Shape);
        return image.Pixels;
    }

    [SkippableFact]
    public async Task TwoEnginesOnTwoThreadsGiveTheBitsOfSerialRuns()
    {
        var path = await TestModels.CheckpointAsync();
        Tensor4 serial;
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 1)))
        {
            serial = await GenerateAsync(engine, path);
        }

        using var a = new SdnEngine(new SdnEngineOptions(Threads: 1));
        using var b = new SdnEngine(new SdnEngineOptions(Threads: 1));
        // Each engine, inside a UNet evaluation, waits until the other is inside one too: the
        // test only finishes when both really evaluate at the same time.
        using var aInside = new ManualResetEventSlim();
        using var bInside = new ManualResetEventSlim();
        int overlaps = 0;
        a.UnetHook = entering =>
        {
            if (entering && !aInside.IsSet)
            {
                aInside.Set();
                if (bInside.Wait(TimeSpan.FromSeconds(60)))
                {
                    Interlocked.Increment(ref overlaps);
                }
            }
        };
        b.UnetHook = entering =>
        {
            if (entering && !bInside.IsSet)
            {
                bInside.Set();
                if (aInside.Wait(TimeSpan.FromSeconds(60)))
                {
                    Interlocked.Increment(ref overlaps);
                }
            }
        };
        var ta = Task.Run(() => GenerateAsync(a, path));
        var tb = Task.Run(() => GenerateAsync(b, path));
        var results = await Task.WhenAll(ta, tb);
        Assert.Equal(2, overlaps);
        Assert.Equal(serial.Data, results[0].Data);
        Assert.Equal(serial.Data, results[1].Data);
    }

    [SkippableFact]
    public async Task CancellingAtAStepThrowsOperationCanceledAndFreesEverything()
    {
        var path = await TestModels.CheckpointAsync();
        long before = SdnLibrary.LiveObjectCount;
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 1)))
        {
            using var cts = new CancellationTokenSource();
            int lastStep = 0;
            // Progress<T> posts asynchronously; this reporter runs inline on the engine thread.
            var progress = new InlineProgress(p =>
            {
                if (p.Stage == GenerationStage.Sampling && p.Step > 0)
                {
                    lastStep = p.Step;
                    if (p.Step == 1)
                    {
                        cts.Cancel();
                    }
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => GenerateAsync(engine, path, progress, cts.Token));
            Assert.True(lastStep is >= 1 and < 3, $"sampling went on to step {lastStep}");
            // The engine works again after a cancelled job.
            await GenerateAsync(engine, path);
        }
        Assert.Equal(before, SdnLibrary.LiveObjectCount);
    }

    [SkippableFact]
    public async Task LogsReachTheLogger()
    {
        var path = await TestModels.CheckpointAsync();
        var logger = new ListLogger();
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 1), logger))
        {
            using var checkpoint = await Checkpoint.LoadAsync(engine, path);
        }
        Assert.NotEmpty(logger.Messages);
    }

    [SkippableFact]
    public async Task RepeatedCyclesDoNotGrowMemoryOrLeakObjects()
    {
        var path = await TestModels.CheckpointAsync();
        var probe = await LeakProbe.MeasureAsync(() => LoadGenerateDisposeAsync(path));
        Console.WriteLine(probe);
        probe.AssertNothingLeaked();
    }

    /// <summary>One cycle of the leak checks: a fresh engine loads the checkpoint, encodes a
    /// prompt and a 128×128 image, samples one step, decodes, and disposes everything.</summary>
    internal static async Task LoadGenerateDisposeAsync(string path)
    {
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
        using var checkpoint = await Checkpoint.LoadAsync(engine, path);
        var positive = await checkpoint.Clip!.EncodeAsync("x");
        var encoded = await checkpoint.Vae!.EncodeAsync(new ImageBatch(1, 128, 128));
        var sampled = await checkpoint.Model!.SampleAsync(FewSteps with { Steps = 1, Denoise = 0.5f }, positive, positive, encoded);
        await checkpoint.Vae.DecodeAsync(sampled);
    }

    private sealed class InlineProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Messages { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }
}
