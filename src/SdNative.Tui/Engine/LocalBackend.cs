using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SdNative.Workflow;

namespace SdNative.Tui.Engine;

/// <summary>Runs prompts on this machine through the workflow runner, which keeps node outputs
/// between runs (a new seed re-runs only the sampler and what follows).</summary>
public sealed class LocalBackend(RunOptions options, ILogger? logger = null) : IGenerationBackend
{
    private readonly WorkflowRunner _runner = new(null, logger);

    public string Name => "local";

    public Task<JsonObject> ObjectInfoAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ObjectInfo.Build(options.Folders()));

    public Task<JsonObject?> ValidateAsync(JsonObject prompt, CancellationToken cancellationToken)
    {
        var result = _runner.Validate(prompt.ToJsonString(), options with { Overrides = null });
        return Task.FromResult(result.IsValid && result.NodeErrors.Count == 0 ? null : result.ToErrorBody());
    }

    public async Task<GenerationOutcome> RunAsync(JsonObject prompt, IProgress<GenerationUpdate> progress, CancellationToken cancellationToken)
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
            var result = await Task.Run(() => _runner.RunAsync(prompt.ToJsonString(), options with { Overrides = null, PreviewEvery = 1 }, relay, cancellationToken), cancellationToken);
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

    public void Dispose() => _runner.Dispose();

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
