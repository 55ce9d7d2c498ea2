using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace SdNative.Cli;

/// <summary>
/// `sdnative run WORKFLOW.json`: runs a ComfyUI API-format workflow. Exit codes: 0 success,
/// 2 invalid workflow or invocation, 1 runtime failure, 130 SIGINT, 143 SIGTERM. A failed run
/// leaves the output folder as it was.
/// </summary>
public static class RunCommand
{
    /// <summary>The workflow runner the command delegates to; tests replace it.</summary>
    public static IWorkflowExecutor Executor { get; set; } = WorkflowRunnerExecutor.Create();

    public static Command Create(CliConsole console)
    {
        var workflow = new Argument<string>("workflow") { Description = "An API-format workflow (ComfyUI \"Save (API)\") or a /prompt request body." };
        var set = new Option<string[]>("--set") { Description = "Override an input: NODE.INPUT=VALUE (node id or title). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var baseDir = new Option<string?>("--base") { Description = "Base folder holding models/, input/ and output/." };
        var models = new Option<string?>("--models") { Description = "Models folder (default <base>/models)." };
        var input = new Option<string?>("--input") { Description = "Input folder for LoadImage (default <base>/input)." };
        var output = new Option<string?>("--output") { Description = "Output folder for SaveImage (default <base>/output)." };
        var json = new Option<bool>("--json") { Description = "Print the summary (or the error) as one JSON object on stdout." };
        var threads = new Option<int>("--threads") { Description = "Engine threads (0 = physical cores).", DefaultValueFactory = _ => 0 };
        var cpu = CpuOption.Create();
        var device = DeviceOption.Create();
        var memoryBudget = MemoryBudgetOption.Create();
        var previewPath = PreviewOption.CreatePath();
        var previewMethod = PreviewOption.CreateMethod();
        var command = new Command("run", "Run a ComfyUI workflow.") { workflow, set, baseDir, models, input, output, json, threads, cpu, device, memoryBudget, previewPath, previewMethod };
        command.SetAction((parse, token) =>
        {
            var overrides = new List<KeyValuePair<string, string>>();
            foreach (var item in parse.GetValue(set) ?? [])
            {
                int eq = item.IndexOf('=');
                int dot = eq < 0 ? -1 : item.LastIndexOf('.', eq);
                if (eq < 0 || dot <= 0 || dot == eq - 1)
                {
                    console.Error.WriteLine($"sdnative: --set takes NODE.INPUT=VALUE, not '{item}'");
                    return Task.FromResult(ExitCodes.Invalid);
                }
                overrides.Add(new(item[..eq], item[(eq + 1)..]));
            }
            if (parse.GetValue(threads) < 0)
            {
                console.Error.WriteLine("sdnative: --threads must be 0 or more");
                return Task.FromResult(ExitCodes.Invalid);
            }
            if (!CpuOption.TryParse(parse.GetValue(cpu), out var variant))
            {
                console.Error.WriteLine($"sdnative: --cpu takes {CpuOption.Choices}, not '{parse.GetValue(cpu)}'");
                return Task.FromResult(ExitCodes.Invalid);
            }
            var chosen = DeviceOption.Resolve(parse.GetValue(device), out var deviceError);
            if (chosen == null)
            {
                console.Error.WriteLine($"sdnative: {deviceError}");
                return Task.FromResult(ExitCodes.Invalid);
            }
            if (!MemoryBudgetOption.TryResolve(parse.GetValue(memoryBudget), out long budgetBytes, out var budgetError))
            {
                console.Error.WriteLine($"sdnative: {budgetError}");
                return Task.FromResult(ExitCodes.Invalid);
            }
            var preview = PreviewOption.Resolve(parse.GetValue(previewPath), parse.GetValue(previewMethod), out var previewError);
            if (previewError is not null)
            {
                console.Error.WriteLine($"sdnative: {previewError}");
                return Task.FromResult(ExitCodes.Invalid);
            }
            var paths = CliPaths.Resolve(parse.GetValue(baseDir), parse.GetValue(models), parse.GetValue(input), parse.GetValue(output));
            return ExecuteAsync(console, parse.GetValue(workflow)!, overrides, paths, parse.GetValue(threads), parse.GetValue(json), token, variant, chosen, preview, budgetBytes);
        });
        return command;
    }

    /// <summary>Runs a workflow and reports it; returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(CliConsole console, string workflowPath, IReadOnlyList<KeyValuePair<string, string>> overrides, CliPaths paths, int threads, bool json, CancellationToken token, CpuVariant cpu = CpuVariant.Auto, ComputeDevice? device = null, CliPreview? preview = null, long memoryBudgetBytes = 0)
    {
        // With --json stdout carries only the JSON object; everything else goes to stderr.
        var chatter = json ? console.Error : console.Out;
        var progress = new ProgressDisplay(chatter, live: console.IsTerminal && !json);
        using var logging = LoggerFactory.Create(b => b.AddProvider(new CliLoggerProvider(console.Error)).SetMinimumLevel(LogLevel.Warning));
        var guard = new OutputGuard(paths.Output);
        var clock = Stopwatch.StartNew();
        try
        {
            if (!File.Exists(workflowPath))
            {
                throw WorkflowInvalidException.Prompt("invalid_prompt", "Workflow file not found", workflowPath);
            }
            IProgress<GenerationProgress> reporter = preview is null ? progress : new PreviewFile(preview.Path, progress, console.Error);
            var request = new WorkflowRunRequest(Path.GetFullPath(workflowPath), overrides, paths, threads, logging, cpu, device, preview?.Method, memoryBudgetBytes);
            var outcome = await Executor.RunAsync(request, reporter, token);
            progress.CloseBar();
            var files = outcome.FilesWritten.Count > 0 ? outcome.FilesWritten : guard.NewFiles();
            var summary = new RunSummary(clock.Elapsed.TotalSeconds, progress.SamplerSteps, progress.SamplingTime.TotalSeconds, RunSummary.PeakResidentBytes(), files,
                progress.FirstStepSeconds, outcome.Nodes);
            if (json)
            {
                console.Out.WriteLine(summary.ToJson().ToJsonString());
            }
            else
            {
                summary.Print(console.Out);
            }
            return ExitCodes.Success;
        }
        catch (Exception e)
        {
            progress.CloseBar();
            guard.RollBack();
            return ReportFailure(console, e, json, token);
        }
    }

    private static int ReportFailure(CliConsole console, Exception e, bool json, CancellationToken token)
    {
        if (e is WorkflowInvalidException invalid)
        {
            if (json)
            {
                console.Out.WriteLine(invalid.ErrorBody.ToJsonString());
            }
            console.Error.WriteLine(invalid.ConsoleText);
            return ExitCodes.Invalid;
        }
        int code;
        string message;
        if (e is OperationCanceledException && token.IsCancellationRequested)
        {
            (code, message) = (ExitCodes.Interrupted, "cancelled");
        }
        else
        {
            (code, message) = UserError.Describe(e);
        }
        if (json)
        {
            console.Out.WriteLine(new JsonObject
            {
                ["status"] = code == ExitCodes.Interrupted ? "cancelled" : "error",
                ["exit_code"] = code,
                ["error"] = new JsonObject { ["type"] = e.GetType().Name, ["message"] = message },
            }.ToJsonString());
        }
        console.Error.WriteLine($"sdnative: {message}");
        return code;
    }
}
