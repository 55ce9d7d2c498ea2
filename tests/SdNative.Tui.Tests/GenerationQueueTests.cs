using System.Text.Json.Nodes;
using SdNative.Tui.Engine;

namespace SdNative.Tui.Tests;

/// <summary>The queue runs jobs one at a time, in order, and any job can be cancelled.</summary>
public class GenerationQueueTests
{
    /// <summary>A backend whose runs end when the test says so.</summary>
    private sealed class GatedBackend : IGenerationBackend
    {
        public readonly SemaphoreSlim Release = new(0);
        public readonly List<string> Started = [];

        public string Name => "gated";
        public Task<JsonObject> ObjectInfoAsync(CancellationToken cancellationToken) => Task.FromResult(new JsonObject());
        public Task<JsonObject?> ValidateAsync(JsonObject prompt, CancellationToken cancellationToken) => Task.FromResult<JsonObject?>(null);

        // The queue never changes settings: nothing to take.
        public void Reconfigure(SdNative.Workflow.RunOptions options)
        {
        }

        public async Task<GenerationOutcome> RunAsync(JsonObject prompt, IProgress<GenerationUpdate> progress, CancellationToken cancellationToken)
        {
            lock (Started)
            {
                Started.Add(prompt["name"]!.ToString());
            }
            await Release.WaitAsync(cancellationToken);
            return new GenerationOutcome([], null, TimeSpan.Zero, 0);
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void JobsQueuedOneAfterAnotherAllRunInOrder()
    {
        // The UI queues the next run when it hears the last one finished: that lands while the
        // worker is deciding it has nothing left to do. Repeated, any window for a job to be
        // stranded (queued, with no worker to run it) shows up as a wait that never ends.
        var backend = new GatedBackend();
        using var queue = new GenerationQueue(backend);
        using var finished = new SemaphoreSlim(0);
        queue.JobChanged += job =>
        {
            if (job.IsFinished)
            {
                finished.Release();
            }
        };
        for (int i = 0; i < 100; i++)
        {
            backend.Release.Release();
            queue.Enqueue(new JsonObject { ["name"] = $"{i}" }, $"{i}");
            Assert.True(finished.Wait(TimeSpan.FromMinutes(1)), $"job {i + 1} was never run");
        }
        Assert.All(queue.Jobs, j => Assert.Equal(JobState.Done, j.State));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{i}"), backend.Started);
    }

    [Fact]
    public async Task CancellingAQueuedJobSkipsItAndCancellingTheRunningOneStopsIt()
    {
        var backend = new GatedBackend();
        using var queue = new GenerationQueue(backend);
        using var started = new ManualResetEventSlim();
        queue.JobChanged += job =>
        {
            if (job.State == JobState.Running)
            {
                started.Set();
            }
        };
        var running = queue.Enqueue(new JsonObject { ["name"] = "a" }, "a");
        var waiting = queue.Enqueue(new JsonObject { ["name"] = "b" }, "b");
        Assert.True(started.Wait(TimeSpan.FromMinutes(1)));
        queue.Cancel(waiting);
        queue.Cancel(running);
        await queue.IdleAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(JobState.Cancelled, running.State);
        Assert.Equal(JobState.Cancelled, waiting.State);
        Assert.Equal(["a"], backend.Started);
    }
}
