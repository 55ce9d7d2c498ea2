using System.Text.Json.Nodes;

namespace SdNative.Cli.Tests;

/// <summary>`sdnative run` with a scripted workflow executor: exit codes, --json, progress,
/// cancellation and the output folder left untouched by failures.</summary>
[Collection("run command executor")]
public sealed class RunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-run-").FullName;
    private readonly IWorkflowExecutor _original = RunCommand.Executor;
    private readonly string _workflow;
    private readonly string _output;

    public RunCommandTests()
    {
        _workflow = Path.Combine(_dir, "wf.json");
        File.WriteAllText(_workflow, "{}");
        _output = Path.Combine(_dir, "output");
    }

    public void Dispose()
    {
        RunCommand.Executor = _original;
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class Scripted(Func<WorkflowRunRequest, IProgress<GenerationProgress>, CancellationToken, Task<WorkflowRunOutcome>> body) : IWorkflowExecutor
    {
        public WorkflowRunRequest? Request { get; private set; }

        public Task<WorkflowRunOutcome> RunAsync(WorkflowRunRequest request, IProgress<GenerationProgress> progress, CancellationToken cancellationToken)
        {
            Request = request;
            return body(request, progress, cancellationToken);
        }
    }

    private Task<(int Code, string Out, string Err)> Run(params string[] extra) =>
        CliRun.InProcess(["run", _workflow, "--base", _dir, .. extra]);

    [Fact]
    public async Task SuccessPrintsTheSummaryAsOneJsonObject()
    {
        RunCommand.Executor = new Scripted((request, progress, _) =>
        {
            progress.Report(new GenerationProgress(GenerationStage.Sampling, 0, 2));
            progress.Report(new GenerationProgress(GenerationStage.Sampling, 1, 2));
            progress.Report(new GenerationProgress(GenerationStage.Sampling, 2, 2));
            Directory.CreateDirectory(request.Paths.Output);
            var file = Path.Combine(request.Paths.Output, "img2img_00001_.png");
            File.WriteAllText(file, "png");
            Thread.Sleep(TimeSpan.FromSeconds(0.2));  // the wall time must cover the run
            return Task.FromResult(new WorkflowRunOutcome([file], [new SdNative.Workflow.NodeTiming("3", "KSampler", 1.25, false)]));
        });
        var (code, stdout, stderr) = await Run("--json");
        Assert.Equal(0, code);
        var json = JsonNode.Parse(stdout.Trim())!.AsObject();
        Assert.Equal("success", (string?)json["status"]);
        // Per-node timings and the time from process start to the first sampler step feed scripts/bench.
        Assert.Equal("KSampler", (string?)json["nodes"]![0]!["class_type"]);
        Assert.Equal(1.25, (double)json["nodes"]![0]!["seconds"]!);
        Assert.True((double)json["first_step_seconds"]! > 0);
        Assert.Equal(2, (int)json["sampler_steps"]!);
        Assert.InRange((double)json["wall_seconds"]!, 0.2, 60);
        Assert.NotNull(json["seconds_per_step"]);
        Assert.True((long)json["peak_memory_bytes"]! > 0);
        Assert.Equal(Path.Combine(_output, "img2img_00001_.png"), (string?)json["files"]![0]);
        // Progress went to stderr so stdout stays parseable.
        Assert.Contains("sampling: step 2/2", stderr);
    }

    [Fact]
    public async Task PlainOutputShowsProgressLinesAndTheSummary()
    {
        RunCommand.Executor = new Scripted((_, progress, _) =>
        {
            progress.Report(new GenerationProgress(GenerationStage.Load, 0, 1));
            progress.Report(new GenerationProgress(GenerationStage.Sampling, 0, 1));
            progress.Report(new GenerationProgress(GenerationStage.Sampling, 1, 1));
            return Task.FromResult(new WorkflowRunOutcome([]));
        });
        var (code, stdout, _) = await Run();
        Assert.Equal(0, code);
        Assert.Contains("loading...", stdout);
        Assert.Contains("sampling: step 1/1", stdout);
        Assert.Contains("s/step over 1 steps", stdout);
        Assert.Contains("peak memory", stdout);
    }

    [Fact]
    public async Task SetValuesAndFoldersReachTheRunner()
    {
        var scripted = new Scripted((_, _, _) => Task.FromResult(new WorkflowRunOutcome([])));
        RunCommand.Executor = scripted;
        var (code, _, _) = await Run("--set", "load_image.image=a=b.png", "--set", "KSampler 3.seed=7", "--threads", "3", "--models", "/m", "--cpu", "AVX512");
        Assert.Equal(0, code);
        var r = scripted.Request!;
        Assert.Equal(CpuVariant.Avx512, r.CpuVariant);
        Assert.Equal([new("load_image.image", "a=b.png"), new("KSampler 3.seed", "7")], r.Overrides);
        Assert.Equal(3, r.Threads);
        Assert.Equal("/m", r.Paths.Models);
        Assert.Equal(Path.Combine(_dir, "input"), r.Paths.Input);
        Assert.Equal(_output, r.Paths.Output);
    }

    [Theory]
    [InlineData("--set", "noequals")]
    [InlineData("--set", "nodot=1")]
    [InlineData("--threads", "-1")]
    [InlineData("--cpu", "avx9000")]
    [InlineData("--device", "gpu")]
    [InlineData("--device", "vulkan:x")]
    [InlineData("--bogus", "x")]
    public async Task BadInvocationsExitWith2AndNoStackTrace(string option, string value)
    {
        RunCommand.Executor = new Scripted((_, _, _) => throw new InvalidOperationException("must not run"));
        var (code, stdout, stderr) = await Run(option, value);
        Assert.Equal(2, code);
        CliRun.AssertNoStackTrace(stdout + stderr);
    }

    [Fact]
    public async Task ADeviceThatDoesNotExistExitsWith2NamingTheDevices()
    {
        RunCommand.Executor = new Scripted((_, _, _) => throw new InvalidOperationException("must not run"));
        var (code, stdout, stderr) = await Run("--device", "vulkan:97");
        Assert.Equal(2, code);
        Assert.Contains("no device vulkan:97", stderr);
        Assert.Contains("cpu", stderr);
        foreach (var d in GpuDevice.List())
        {
            Assert.Contains($"vulkan:{d.Index} {d.Name}", stderr);
        }
        CliRun.AssertNoStackTrace(stdout + stderr);
    }

    [Fact]
    public async Task TheDeviceReachesTheRunner()
    {
        var scripted = new Scripted((_, _, _) => Task.FromResult(new WorkflowRunOutcome([])));
        RunCommand.Executor = scripted;
        var (code, _, _) = await Run("--device", "auto");
        Assert.Equal(0, code);
        Assert.Equal(ComputeDevice.Auto, scripted.Request!.Device);
    }

    [Fact]
    public async Task AnInvalidWorkflowPrintsComfyUIsErrorBodyWithJson()
    {
        var body = new JsonObject
        {
            ["error"] = new JsonObject { ["type"] = "prompt_outputs_failed_validation", ["message"] = "Prompt outputs failed validation", ["details"] = "", ["extra_info"] = new JsonObject() },
            ["node_errors"] = new JsonObject { ["3"] = new JsonObject { ["errors"] = new JsonArray(), ["class_type"] = "KSampler" } },
        };
        RunCommand.Executor = new Scripted((_, _, _) => throw new WorkflowInvalidException("Failed to validate prompt for output 9:\n* KSampler 3:\n  - Value not in list", body));
        var (code, stdout, stderr) = await Run("--json");
        Assert.Equal(2, code);
        var json = JsonNode.Parse(stdout.Trim())!;
        Assert.Equal("prompt_outputs_failed_validation", (string?)json["error"]!["type"]);
        Assert.NotNull(json["node_errors"]!["3"]);
        Assert.Contains("Failed to validate prompt for output 9", stderr);
        CliRun.AssertNoStackTrace(stderr);
    }

    [Fact]
    public async Task AMissingWorkflowFileIsAnInvalidPrompt()
    {
        var (code, stdout, _) = await CliRun.InProcess("run", Path.Combine(_dir, "missing.json"), "--base", _dir, "--json");
        Assert.Equal(2, code);
        Assert.Equal("invalid_prompt", (string?)JsonNode.Parse(stdout.Trim())!["error"]!["type"]);
    }

    [Fact]
    public async Task ARuntimeFailureExits1AndTakesBackWhatItWrote()
    {
        Directory.CreateDirectory(_output);
        File.WriteAllText(Path.Combine(_output, "keep.png"), "old");
        RunCommand.Executor = new Scripted((request, _, _) =>
        {
            Directory.CreateDirectory(Path.Combine(request.Paths.Output, "sub"));
            File.WriteAllText(Path.Combine(request.Paths.Output, "sub", "img_00001_.png"), "new");
            File.WriteAllText(Path.Combine(request.Paths.Output, "img_00001_.png"), "new");
            throw new IOException("disk full");
        });
        var (code, stdout, stderr) = await Run("--json");
        Assert.Equal(1, code);
        Assert.Equal("error", (string?)JsonNode.Parse(stdout.Trim())!["status"]);
        Assert.Contains("disk full", stderr);
        CliRun.AssertNoStackTrace(stderr);
        Assert.Equal([Path.Combine(_output, "keep.png")], Directory.GetFileSystemEntries(_output));
    }

    [Fact]
    public async Task CancellationExits130AndLeavesNoOutput()
    {
        using var cts = new CancellationTokenSource();
        using var started = new SemaphoreSlim(0);
        RunCommand.Executor = new Scripted(async (request, _, token) =>
        {
            Directory.CreateDirectory(request.Paths.Output);
            File.WriteAllText(Path.Combine(request.Paths.Output, "partial.png"), "x");
            started.Release();
            await Task.Delay(Timeout.Infinite, token);
            return new WorkflowRunOutcome([]);
        });
        var run = CliRun.InProcess(cts.Token, "run", _workflow, "--base", _dir);
        await started.WaitAsync();
        cts.Cancel();
        var (code, _, stderr) = await run;
        Assert.Equal(130, code);
        Assert.Contains("cancelled", stderr);
        Assert.False(Directory.Exists(_output) && Directory.EnumerateFileSystemEntries(_output).Any());
    }
}
