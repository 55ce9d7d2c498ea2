using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace SdNative.Cli;

/// <summary>What `sdnative run` asks the workflow runner to do.</summary>
/// <param name="Overrides">--set values: "node.input" → value text, in command-line order.
/// The node is an id or a title.</param>
/// <param name="Preview">How sampler previews are made (they reach the progress reporter); null: none.</param>
/// <param name="MemoryBudgetBytes">--memory-budget in bytes; 0: none.</param>
public sealed record WorkflowRunRequest(
    string WorkflowPath,
    IReadOnlyList<KeyValuePair<string, string>> Overrides,
    CliPaths Paths,
    int Threads,
    ILoggerFactory Logging,
    CpuVariant CpuVariant = CpuVariant.Auto,
    ComputeDevice? Device = null,
    SdNative.Workflow.PreviewMethod? Preview = null,
    long MemoryBudgetBytes = 0);

/// <summary>What a successful run produced.</summary>
public sealed record WorkflowRunOutcome(IReadOnlyList<string> FilesWritten, IReadOnlyList<SdNative.Workflow.NodeTiming>? Nodes = null);

/// <summary>The workflow did not validate. ConsoleText is what ComfyUI prints on its console;
/// ErrorBody is the JSON body ComfyUI's POST /prompt answers with (error + node_errors).</summary>
public sealed class WorkflowInvalidException(string consoleText, JsonObject errorBody) : Exception(consoleText)
{
    public string ConsoleText { get; } = consoleText;
    public JsonObject ErrorBody { get; } = errorBody;

    /// <summary>A /prompt-style body for an error not tied to a node (bad JSON, no outputs, ...).</summary>
    public static WorkflowInvalidException Prompt(string type, string message, string details = "") =>
        new($"invalid prompt: {message}" + (details.Length > 0 ? $": {details}" : ""), new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["type"] = type,
                ["message"] = message,
                ["details"] = details,
                ["extra_info"] = new JsonObject(),
            },
            ["node_errors"] = new JsonObject(),
        });
}

/// <summary>Runs one workflow; the CLI's link to SdNative.Workflow (tests supply fakes).</summary>
public interface IWorkflowExecutor
{
    Task<WorkflowRunOutcome> RunAsync(WorkflowRunRequest request, IProgress<GenerationProgress> progress, CancellationToken cancellationToken);
}
