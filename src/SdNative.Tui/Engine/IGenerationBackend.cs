using System.Text.Json.Nodes;

namespace SdNative.Tui.Engine;

/// <summary>Where generations run: the local engine, or a ComfyUI-compatible server.</summary>
public interface IGenerationBackend : IDisposable
{
    /// <summary>"local" or the server's address, for the status bar.</summary>
    string Name { get; }

    /// <summary>ComfyUI's object_info: every node's inputs with their choices and ranges.</summary>
    Task<JsonObject> ObjectInfoAsync(CancellationToken cancellationToken);

    /// <summary>ComfyUI's validation of an API-format prompt: null when it is valid, else the
    /// error body ({"error", "node_errors"}).</summary>
    Task<JsonObject?> ValidateAsync(JsonObject prompt, CancellationToken cancellationToken);

    /// <summary>Runs a prompt to the end. Throws <see cref="GenerationFailedException"/> for an
    /// invalid prompt or a failed node and OperationCanceledException when cancelled.</summary>
    Task<GenerationOutcome> RunAsync(JsonObject prompt, IProgress<GenerationUpdate> progress, CancellationToken cancellationToken);

    /// <summary>New settings for the runs that start from now on; a run in progress keeps the
    /// ones it started with.</summary>
    void Reconfigure(SdNative.Workflow.RunOptions options);
}
