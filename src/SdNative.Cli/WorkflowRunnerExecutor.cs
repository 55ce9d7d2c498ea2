using Microsoft.Extensions.Logging;
using SdNative.Workflow;

namespace SdNative.Cli;

/// <summary>The link from `sdnative run` to SdNative.Workflow's <see cref="WorkflowRunner"/>.</summary>
public static class WorkflowRunnerExecutor
{
    public static IWorkflowExecutor Create() => new Executor();

    private sealed class Executor : IWorkflowExecutor
    {
        public async Task<WorkflowRunOutcome> RunAsync(WorkflowRunRequest request, IProgress<GenerationProgress> progress, CancellationToken cancellationToken)
        {
            string json = await File.ReadAllTextAsync(request.WorkflowPath, cancellationToken);
            var logger = request.Logging.CreateLogger("sdnative");
            using var runner = new WorkflowRunner(null, logger);
            var paths = request.Paths;
            var options = new RunOptions(paths.Base, paths.Models, paths.Input, paths.Output, request.Threads, request.Overrides, CpuVariant: request.CpuVariant, Device: request.Device,
                PreviewEvery: request.Preview is null ? 0 : 1, PreviewMethod: request.Preview ?? PreviewMethod.Auto, MemoryBudgetBytes: request.MemoryBudgetBytes);
            try
            {
                var result = await runner.RunAsync(json, options, progress, cancellationToken);
                return new WorkflowRunOutcome(result.FilesWritten, result.Nodes);
            }
            catch (WorkflowValidationException e)
            {
                throw new WorkflowInvalidException(e.Message, e.Body);
            }
            catch (WorkflowRuntimeException e) when (e.InnerException is OperationCanceledException cancelled)
            {
                throw cancelled;
            }
        }
    }
}
