using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SdNative.Workflow;

namespace SdNative.Tui.Engine;

/// <summary>Runs prompts on this machine through the workflow runner, which keeps node outputs
/// between runs (a new seed re-runs only the sampler and what follows). New settings bring a
/// new runner, and with it a new engine, for the next run; the runner of a run in progress is
/// disposed only when that run ends.</summary>
public sealed class LocalBackend(RunOptions options, ILogger? logger = null) : IGenerationBackend
{
    private readonly Lock _gate = new();
    private RunOptions _options = options;
    private WorkflowRunner _runner = new(null, logger);
    private WorkflowRunner? _busy;
    private WorkflowRunner? _retired;

    public string Name => "local";

    /// <summary>The settings the next run will use.</summary>
    public RunOptions Options
    {
        get
        {
            lock (_gate)
            {
                return _options;
            }
        }
    }

    public Task<JsonObject> ObjectInfoAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ObjectInfo.Build(Options.Folders()));

    public Task<JsonObject?> ValidateAsync(JsonObject prompt, CancellationToken cancellationToken)
    {
        var (runner, current) = Current();
        var result = runner.Validate(prompt.ToJsonString(), current with { Overrides = null });
        return Task.FromResult(result.IsValid && result.NodeErrors.Count == 0 ? null : result.ToErrorBody());
    }

    public void Reconfigure(RunOptions options)
    {
        lock (_gate)
        {
            _options = options;
            var old = _runner;
            // Threads and device are fixed when a runner makes its engine, and its cache holds
            // outputs of the old folders: a fresh runner is the only way to honour all of them.
            _runner = new WorkflowRunner(null, logger);
            if (old == _busy)
            {
                _retired = old;
            }
            else
            {
                old.Dispose();
            }
        }
    }

    public async Task<GenerationOutcome> RunAsync(JsonObject prompt, IProgress<GenerationUpdate> progress, CancellationToken cancellationToken)
    {
        WorkflowRunner runner;
        RunOptions current;
        lock (_gate)
        {
            (runner, current) = (_runner, _options);
            _busy = runner;
        }
        try
        {
            return await RunOnAsync(runner, current, prompt, progress, cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                _busy = null;
                if (_retired == runner)
                {
                    _retired = null;
                    runner.Dispose();
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _runner.Dispose();
            _retired?.Dispose();
        }
    }

    private (WorkflowRunner Runner, RunOptions Options) Current()
    {
        lock (_gate)
        {
            return (_runner, _options);
        }
    }

    private static async Task<GenerationOutcome> RunOnAsync(WorkflowRunner runner, RunOptions options, JsonObject prompt, IProgress<GenerationUpdate> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int steps = 0;
        var relay = new SynchronousProgress<GenerationProgress>(p =>
        {
            if (p.Stage == GenerationStage.Sampling)
            {
                steps = Math.Max(steps, p.Step);
            }
            progress.Report(new GenerationUpdate(p.Stage == GenerationStage.Sampling ? p.Step : 0, p.Stage == GenerationStage.Sampling ? p.Total : 0,
                StageName(p.Stage), p.Preview is null ? null : RgbImage.FromBatch(p.Preview)));
        });
        try
        {
            var result = await Task.Run(() => runner.RunAsync(prompt.ToJsonString(), options with { Overrides = null, PreviewEvery = 1 }, relay, cancellationToken), cancellationToken);
            // An unchanged prompt runs nothing (ComfyUI's cache): show the images it made before.
            var cached = result.FilesWritten.Count == 0;
            var files = cached
                ? result.Images.Values.SelectMany(i => i).Where(i => i.Type == "output" && File.Exists(i.FullPath)).Select(i => i.FullPath).ToList()
                : result.FilesWritten;
            var image = files.Count > 0 ? RgbImage.Load(files[0]) : null;
            return new GenerationOutcome(files, image, clock.Elapsed, steps) { Cached = cached };
        }
        catch (WorkflowValidationException e)
        {
            throw new GenerationFailedException(e.Message, e.Body, e);
        }
        catch (WorkflowRuntimeException e) when (e.InnerException is OperationCanceledException cancelled)
        {
            throw cancelled;
        }
        catch (WorkflowRuntimeException e)
        {
            throw new GenerationFailedException(e.Message, null, e);
        }
    }

    private static string StageName(GenerationStage stage) => stage switch
    {
        GenerationStage.Load => "loading",
        GenerationStage.TextEncode => "text encode",
        GenerationStage.VaeEncode => "VAE encode",
        GenerationStage.Sampling or GenerationStage.Unet => "sampling",
        GenerationStage.VaeDecode => "VAE decode",
        _ => stage.ToString(),
    };
}
