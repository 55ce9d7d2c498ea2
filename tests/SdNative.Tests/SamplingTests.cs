using SdNative.Interop;

namespace SdNative.Tests;

/// <summary>Sampling through the managed API on a tiny random UNet, with hand-made conditioning
/// (the tiny model's cross-attention width is 64), so it needs neither CLIP nor the VAE.</summary>
[Collection(LeakMeasurementCollection.Name)]
public class SamplingTests
{
    private const int ContextWidth = 64;
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _model;

    private static async Task<string> UnetModelAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_model is null)
            {
                var dir = Path.Combine(Path.GetTempPath(), $"sdn-managed-sampling-{Environment.ProcessId}");
                Directory.CreateDirectory(dir);
                var path = Path.Combine(dir, "tiny-unet.safetensors");
                using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
                await ModelFiles.MakeTestModelAsync(engine, path, "f32", 99);
                _model = path;
            }
            return _model;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static Conditioning Cond(float value)
    {
        var tokens = new Tensor4([1, 77, ContextWidth]);
        for (int i = 0; i < tokens.Data.Length; i++)
        {
            tokens.Data[i] = value * MathF.Sin(i * 0.37f);
        }
        return new Conditioning(new ConditioningEntry(tokens));
    }

    private static readonly SamplerSettings Settings = new("euler", "normal", Steps: 4, Cfg: 3f, Denoise: 1f, Seed: 7);

    private static async Task<Tensor4> SampleAsync(SdnEngine engine, string path, IProgress<GenerationProgress>? progress = null, CancellationToken token = default)
    {
        using var checkpoint = await Checkpoint.LoadAsync(engine, path, new CheckpointLoadOptions(LoadClip: false, LoadVae: false));
        Assert.Null(checkpoint.Clip);
        Assert.Null(checkpoint.Vae);
        Assert.Equal(ModelArchitecture.Sd1, checkpoint.Model!.Architecture);
        var result = await checkpoint.Model.SampleAsync(Settings, Cond(1f), Cond(-0.5f), Latent.Empty(64, 64), progress, token);
        Assert.Equal([1, 4, 8, 8], result.Samples.Shape);
        Assert.All(result.Samples.Data, v => Assert.True(float.IsFinite(v)));
        return result.Samples;
    }

    [Fact]
    public async Task TwoEnginesSampleAtOnceWithTheBitsOfSerialRuns()
    {
        var path = await UnetModelAsync();
        Tensor4 serial;
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 1)))
        {
            serial = await SampleAsync(engine, path);
        }
        using var a = new SdnEngine(new SdnEngineOptions(Threads: 1));
        using var b = new SdnEngine(new SdnEngineOptions(Threads: 1));
        // Inside its first UNet evaluation each engine waits for the other to be inside one too,
        // so the test proves both evaluate at the same time (no clocks involved).
        using var aInside = new ManualResetEventSlim();
        using var bInside = new ManualResetEventSlim();
        int met = 0;
        Action<bool> Meet(ManualResetEventSlim mine, ManualResetEventSlim other) => entering =>
        {
            if (entering && !mine.IsSet)
            {
                mine.Set();
                if (other.Wait(TimeSpan.FromMinutes(2)))
                {
                    Interlocked.Increment(ref met);
                }
            }
        };
        a.UnetHook = Meet(aInside, bInside);
        b.UnetHook = Meet(bInside, aInside);
        var results = await Task.WhenAll(Task.Run(() => SampleAsync(a, path)), Task.Run(() => SampleAsync(b, path)));
        Assert.Equal(2, met);
        Assert.Equal(serial.Data, results[0].Data);
        Assert.Equal(serial.Data, results[1].Data);
    }

    [Fact]
    public async Task CancellingAtAStepStopsSamplingAndFreesEverything()
    {
        var path = await UnetModelAsync();
        long before = SdnLibrary.LiveObjectCount;
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 1)))
        {
            using var cts = new CancellationTokenSource();
            int lastStep = 0;
            var progress = new InlineProgress(p =>
            {
                if (p.Stage == GenerationStage.Sampling && p.Step > 0)
                {
                    lastStep = p.Step;
                    if (p.Step == 2)
                    {
                        cts.Cancel();
                    }
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SampleAsync(engine, path, progress, cts.Token));
            Assert.True(lastStep is 2 or 3, $"sampling reported step {lastStep} after the cancel at step 2");
            // The engine runs the next job normally.
            await SampleAsync(engine, path);
        }
        Assert.Equal(before, SdnLibrary.LiveObjectCount);
    }

    [Fact]
    public async Task ProgressReportsEverySamplerStep()
    {
        var path = await UnetModelAsync();
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
        var steps = new List<int>();
        await SampleAsync(engine, path, new InlineProgress(p =>
        {
            if (p.Stage == GenerationStage.Sampling && p.Step > 0 && p.Preview is null)
            {
                steps.Add(p.Step);
            }
        }));
        Assert.Equal([1, 2, 3, 4], steps);
    }

    [Fact]
    public async Task RepeatedLoadSampleDisposeDoesNotGrowMemoryOrLeak()
    {
        var path = await UnetModelAsync();
        var probe = await LeakProbe.MeasureAsync(async () =>
        {
            using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
            using var checkpoint = await Checkpoint.LoadAsync(engine, path, new CheckpointLoadOptions(LoadClip: false, LoadVae: false));
            await checkpoint.Model!.SampleAsync(Settings with { Steps = 1 }, Cond(1f), Cond(0f), Latent.Empty(128, 128));
        });
        Console.WriteLine(probe);
        probe.AssertNothingLeaked();
    }

    [Fact]
    public async Task NativeLogLinesReachTheLogger()
    {
        var path = await UnetModelAsync();
        var logger = new ListLogger();
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 1), logger))
        {
            using var checkpoint = await Checkpoint.LoadAsync(engine, path, new CheckpointLoadOptions(LoadClip: false, LoadVae: false));
        }
        Assert.NotEmpty(logger.Messages);
        Assert.All(logger.Messages, m => Assert.False(string.IsNullOrWhiteSpace(m)));
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Messages { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }

    private sealed class InlineProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
