using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

/// <summary>The queue and history reopened from the same database, as after a restart or a kill.</summary>
public sealed class PromptQueueTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-queue-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, PromptStore.FileName);

    private static QueueItem Item(string id, double number) =>
        new(number, id, new JsonObject { ["1"] = new JsonObject { ["class_type"] = "SaveImage" } }, new JsonObject { ["client_id"] = "c" }, ["1"]);

    private PromptQueue Open(PromptStore store) => new(store, ExecutionWorker.FailedAfterRestart);

    [Fact]
    public async Task PendingPromptsHistoryAndTheCounterSurviveAReopen()
    {
        using (var store = new PromptStore(Db))
        {
            var queue = Open(store);
            queue.NextNumber(front: false);
            queue.Put(Item("b", 2));
            queue.Put(Item("a", 1));
            var taken = await queue.TakeAsync(CancellationToken.None);
            queue.Finish(taken, ExecutionWorker.HistoryEntry(taken, new JsonObject(), new JsonObject(), "execution_success", new JsonArray()));
            queue.Put(Item("c", 0.5));
        }
        using (var store = new PromptStore(Db))
        {
            var queue = Open(store);
            Assert.Equal(["c", "b"], queue.Snapshot().Pending.Select(p => p.PromptId));
            Assert.Equal(["a"], queue.History(null, -1).Select(kv => kv.Key));
            Assert.Equal("c", queue.Snapshot().Pending[0].ClientId);
            Assert.Equal(1, queue.NextNumber(front: false));
            Assert.Equal("c", (await queue.TakeAsync(CancellationToken.None)).PromptId);
        }
    }

    [Fact]
    public async Task APromptRunningWhenTheServerDiedIsQueuedAgainOnceThenFailed()
    {
        using (var store = new PromptStore(Db))
        {
            var queue = Open(store);
            queue.Put(Item("x", 1));
            queue.Put(Item("y", 2));
            Assert.Equal("x", (await queue.TakeAsync(CancellationToken.None)).PromptId);
        }
        using (var store = new PromptStore(Db))
        {
            var queue = Open(store);
            Assert.Equal(["x", "y"], queue.Snapshot().Pending.Select(p => p.PromptId));
            Assert.Equal("x", (await queue.TakeAsync(CancellationToken.None)).PromptId);
        }
        using (var store = new PromptStore(Db))
        {
            var queue = Open(store);
            Assert.Equal(["y"], queue.Snapshot().Pending.Select(p => p.PromptId));
            var entry = queue.HistoryEntry("x")!;
            Assert.Equal("error", entry["status"]!["status_str"]!.GetValue<string>());
            Assert.Equal("ServerRestart", entry["status"]!["messages"]![0]![1]!["exception_type"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task AStopRequeuesTheRunningPromptWithoutCountingItAsACrash()
    {
        using (var store = new PromptStore(Db))
        {
            var queue = Open(store);
            queue.Put(Item("x", 1));
            queue.Requeue(await queue.TakeAsync(CancellationToken.None));
            Assert.Equal("x", (await queue.TakeAsync(CancellationToken.None)).PromptId);
        }
        using (var store = new PromptStore(Db))
        {
            // Two runs started, but the first ended in a clean stop: the second start is the first crash.
            Assert.Equal(["x"], Open(store).Snapshot().Pending.Select(p => p.PromptId));
        }
    }
}
