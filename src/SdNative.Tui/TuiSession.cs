using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SdNative.Tui.Engine;
using SdNative.Tui.Workflow;

namespace SdNative.Tui;

/// <summary>
/// What the screens share and nothing UI: the workflow being edited, where generations run,
/// their queue, object_info, and the folders. Screens read it and listen to its events.
/// </summary>
public sealed class TuiSession : IDisposable
{
    public TuiSession(TuiOptions options, IGenerationBackend backend, JsonObject objectInfo, ILogger logger)
    {
        Options = options;
        Backend = backend;
        ObjectInfo = objectInfo;
        Logger = logger;
        Run = options.RunOptions;
        Queue = new GenerationQueue(backend, logger);
        Prompt = WorkflowFile.Open(options.Document);
        Origin = options.Document ?? WorkflowFile.SeedGuideName;
    }

    public TuiOptions Options { get; }
    public IGenerationBackend Backend { get; }
    public GenerationQueue Queue { get; }
    public ILogger Logger { get; }

    /// <summary>object_info of wherever generations run (the server's in remote mode).</summary>
    public JsonObject ObjectInfo { get; private set; }

    /// <summary>The API-format workflow being edited; screens change it in place.</summary>
    public JsonObject Prompt { get; private set; }

    /// <summary>The file (or built-in name) the workflow came from.</summary>
    public string Origin { get; private set; }

    /// <summary>Folders, threads and device in force: the command line's, then the settings screen's.</summary>
    public SdNative.Workflow.RunOptions Run { get; private set; }

    public string OutputDir => Run.Folders().OutputDir;
    public string InputDir => Run.Folders().InputDir;

    /// <summary>New settings were applied (<see cref="Apply"/>).</summary>
    public event Action? SettingsChanged;

    /// <summary>A new workflow replaced the old one (opened, reloaded from history).</summary>
    public event Action? WorkflowChanged;

    /// <summary>ComfyUI's validation body for the current workflow arrived (null: it is valid).</summary>
    public event Action<JsonObject?>? ValidationChanged;

    public GenerateInputs Inputs => GenerateInputs.Find(Prompt);

    public void Load(JsonObject prompt, string origin)
    {
        Prompt = prompt;
        Origin = origin;
        WorkflowChanged?.Invoke();
    }

    /// <summary>Takes new settings for the generations queued from now on; the running one keeps
    /// its engine and folders. Local object_info is rebuilt, as the models folder may have moved.</summary>
    public void Apply(SdNative.Workflow.RunOptions run)
    {
        Run = run;
        Backend.Reconfigure(run);
        if (!Options.IsRemote)
        {
            // The local backend answers at once; a server's models do not depend on our folders.
            ObjectInfo = Backend.ObjectInfoAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        SettingsChanged?.Invoke();
    }

    public void Open(string path) => Load(WorkflowFile.Open(path), path);

    public async Task RefreshObjectInfoAsync(CancellationToken cancellationToken) =>
        ObjectInfo = await Backend.ObjectInfoAsync(cancellationToken);

    /// <summary>Validates the current workflow and tells the listeners; returns the error body.</summary>
    public async Task<JsonObject?> ValidateAsync(CancellationToken cancellationToken)
    {
        var body = await Backend.ValidateAsync((JsonObject)Prompt.DeepClone(), cancellationToken);
        ValidationChanged?.Invoke(body);
        return body;
    }

    /// <summary>Tells the listeners about errors a generation met (a failed validation at queue time).</summary>
    public void ReportValidation(JsonObject? body) => ValidationChanged?.Invoke(body);

    public void Dispose()
    {
        Queue.Dispose();
        Backend.Dispose();
    }
}
