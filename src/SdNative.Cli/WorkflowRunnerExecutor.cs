namespace SdNative.Cli;

/// <summary>
/// The link from `sdnative run` to SdNative.Workflow's runner. Until that runner is part of the
/// build, a run fails with a clear message instead of a missing-type crash.
/// </summary>
public static class WorkflowRunnerExecutor
{
    public static IWorkflowExecutor Create() => new Unavailable();

    private sealed class Unavailable : IWorkflowExecutor
    {
        public Task<WorkflowRunOutcome> RunAsync(WorkflowRunRequest request, IProgress<GenerationProgress> progress, CancellationToken cancellationToken) =>
            throw new UserError("this build has no workflow runner (SdNative.Workflow's WorkflowRunner is not linked in yet)", ExitCodes.Failure);
    }
}
