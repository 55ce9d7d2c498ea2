using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SdNative.Workflow;

namespace SdNative.Server;

/// <summary>
/// Runs queued prompts one at a time on one <see cref="WorkflowRunner"/>, whose node cache spans
/// prompts (a changed seed re-runs the sampler and what follows). Sends the prompt's events,
/// writes its history entry, and only then takes it off the queue and says it is done. A failing
/// prompt becomes execution_error and the worker goes on with the next. Output nodes write their
/// images as they run and `executed` follows each at once, as in ComfyUI. The engine (on the
/// configured device) is made on first use and kept for the server's life; /free replaces only the
/// runner with its cached node outputs and loaded models.
/// </summary>
public sealed class ExecutionWorker(PromptQueue queue, WebSocketHub hub, ServerOptions options, ILogger<ExecutionWorker> logger)
    : BackgroundService, IMemoryRelease
{
    private readonly Lock _lock = new();
    private SdnEngine? _engine;
    private WorkflowRunner? _runner;
    private bool _releaseAfterRun;
    private CancellationTokenSource? _interrupt;
    private QueueItem? _running;
    private string? _currentNode;

    /// <summary>Cancels the running prompt at its next step; with an id, only if that prompt is the running one.</summary>
    public void Interrupt(string? promptId = null)
    {
        lock (_lock)
        {
            if (_running is not null && (promptId is null || promptId == _running.PromptId))
            {
                _interrupt?.Cancel();
            }
        }
    }

    /// <summary>POST /free: drops the loaded models and every cached node output, now when idle,
    /// else as soon as the running prompt ends (a fresh runner loads what the next prompt needs).</summary>
    public void Release(bool unloadModels, bool freeMemory)
    {
        lock (_lock)
        {
            if (_running is null)
            {
                ReplaceRunner();
            }
            else
            {
                _releaseAfterRun = true;
            }
        }
    }

    private void ReplaceRunner()
    {
        _runner?.Dispose();
        _runner = null;
        _releaseAfterRun = false;
    }

    /// <summary>The GPU the engine computes on, or null for the CPU (for /system_stats): asked of
    /// the engine itself, so "auto" shows what it chose.</summary>
    public GpuDevice? Gpu()
    {
        int index = VulkanIndex(Engine().DeviceName);
        return index < 0 ? null : GpuDevice.List().ElementAtOrDefault(index);
    }

    /// <summary>N of the engine's "vulkan:N name", or -1 for the CPU.</summary>
    private static int VulkanIndex(string deviceName)
    {
        const string prefix = "vulkan:";
        if (!deviceName.StartsWith(prefix, StringComparison.Ordinal))
        {
            return -1;
        }
        string digits = new(deviceName[prefix.Length..].TakeWhile(char.IsAsciiDigit).ToArray());
        return int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : -1;
    }

    private SdnEngine Engine()
    {
        lock (_lock)
        {
            return _engine ??= new SdnEngine(new SdnEngineOptions(options.Threads, options.Cpu, options.EngineDevice, options.MemoryBudgetBytes), logger);
        }
    }

    private WorkflowRunner Runner()
    {
        var engine = Engine();
        lock (_lock)
        {
            return _runner ??= new WorkflowRunner(engine, logger) { WriteImagesAsNodesRun = true };
        }
    }

    /// <summary>The node running for this client's prompt (ComfyUI re-sends it to a reconnecting socket).</summary>
    public string? CurrentNodeFor(string sid)
    {
        lock (_lock)
        {
            return _running?.ClientId == sid ? _currentNode : null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueItem item;
            try
            {
                item = await queue.TakeAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await RunAsync(item, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Only the bookkeeping around a run (the database) can get here; the run's own
                // failures are execution_error. Keep serving rather than take the host down.
                logger.LogError("Prompt {PromptId}: could not record its end: {Message}", item.PromptId, e.Message);
                Clear();
            }
        }
    }

    private async Task RunAsync(QueueItem item, CancellationToken stopping)
    {
        var events = new PromptEvents(hub, item);
        var states = new NodeProgressStates(item.PromptId);
        using var interrupt = new CancellationTokenSource();
        // Finish mode lets the running prompt complete on SIGTERM; cancel mode stops it and keeps it queued.
        using var linked = options.FinishOnShutdown
            ? CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, stopping);
        var executed = new List<string>();
        string? current = null, currentClass = null;
        WorkflowRunner? runner = null;
        lock (_lock)
        {
            _running = item;
            _interrupt = interrupt;
            _currentNode = null;
        }
        events.Send("execution_start", new JsonObject(), timestamp: true);

        JsonObject outputs = new(), meta = new();
        // ComfyUI's order per node: progress_state (running), executing, [progress_state, progress,
        // preview] per step, executed (output nodes), progress_state (finished).
        var started = new Reporter<NodeStarted>(node =>
        {
            (current, currentClass) = (node.NodeId, node.ClassType);
            lock (_lock)
            {
                _currentNode = current;
            }
            states.Start(node.NodeId);
            events.Send("progress_state", states.ToJson());
            events.Send("executing", new JsonObject { ["node"] = node.NodeId, ["display_node"] = node.NodeId });
        });
        var finished = new Reporter<NodeFinished>(node =>
        {
            if (!node.Cached)
            {
                executed.Add(node.NodeId);
            }
            // A cached output node's earlier images are re-sent only to a prompt with a client (ComfyUI).
            if (node.Images is { } images && !(node.Cached && item.ClientId is null))
            {
                var ui = new JsonObject { ["images"] = new JsonArray(images.Select(i => (JsonNode?)new JsonObject
                {
                    ["filename"] = i.Filename, ["subfolder"] = i.Subfolder ?? "", ["type"] = i.Type,
                }).ToArray()) };
                outputs[node.NodeId] = ui;
                meta[node.NodeId] = new JsonObject { ["node_id"] = node.NodeId, ["display_node"] = node.NodeId, ["parent_node"] = null, ["real_node_id"] = node.NodeId };
                events.Send("executed", new JsonObject { ["node"] = node.NodeId, ["display_node"] = node.NodeId, ["output"] = ui.DeepClone() });
            }
            states.Finish(node.NodeId);
            events.Send("progress_state", states.ToJson());
        });
        var progress = new Reporter<GenerationProgress>(p =>
        {
            if (p.Preview is { } preview)
            {
                events.Preview(LatentPreviewFrame.Encode(preview));
            }
            else if (p.Stage == GenerationStage.Sampling && p.Step > 0 && current is not null)
            {
                states.Update(current, p.Step, p.Total);
                events.Send("progress_state", states.ToJson());
                events.Send("progress", new JsonObject { ["value"] = p.Step, ["max"] = p.Total, ["node"] = current });
            }
        });

        string? final = null;
        JsonObject? finalData = null;
        try
        {
            runner = Runner();
            runner.CachedNodes = new Reporter<IReadOnlyList<string>>(ids =>
                events.Send("execution_cached", new JsonObject { ["nodes"] = Ids(ids) }, timestamp: true));
            runner.NodeProgress = started;
            runner.NodeFinished = finished;
            var document = WorkflowDocument.Parse(new JsonObject { ["prompt"] = item.Prompt.DeepClone(), ["extra_data"] = item.ExtraData.DeepClone() }.ToJsonString());
            await runner.RunAsync(document, RunOptions(item), progress, linked.Token).ConfigureAwait(false);
            final = "execution_success";
            finalData = Stamp(new JsonObject(), item);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !interrupt.IsCancellationRequested)
        {
            logger.LogInformation("Stopping: prompt {PromptId} goes back to the queue", item.PromptId);
            queue.Requeue(item);
            Clear();
            return;
        }
        catch (OperationCanceledException)
        {
            final = "execution_interrupted";
            finalData = Stamp(new JsonObject { ["node_id"] = current, ["node_type"] = currentClass, ["executed"] = Ids(executed) }, item);
        }
        catch (Exception e)
        {
            logger.LogError("Prompt {PromptId} failed: {Message}", item.PromptId, e.Message);
            var (nodeId, nodeType, cause) = e is WorkflowRuntimeException r ? (r.NodeId, r.ClassType, r.InnerException ?? r) : (current, currentClass, e);
            final = "execution_error";
            finalData = Stamp(new JsonObject
            {
                ["node_id"] = nodeId, ["node_type"] = nodeType, ["executed"] = Ids(executed),
                ["exception_message"] = e is WorkflowValidationException v ? v.Message : cause.Message,
                ["exception_type"] = cause.GetType().Name, ["traceback"] = new JsonArray(),
                ["current_inputs"] = new JsonObject(), ["current_outputs"] = Ids(executed),
            }, item);
        }
        finally
        {
            if (runner is not null)
            {
                runner.CachedNodes = null;
                runner.NodeProgress = null;
                runner.NodeFinished = null;
            }
        }

        // History first, then off the queue (one transaction), then status, "executing null" and the end event.
        events.Messages.Add(new JsonArray(final, finalData.DeepClone()));
        queue.Finish(item, HistoryEntry(item, outputs, meta, final, events.Messages));
        Clear();
        events.Deliver("executing", new JsonObject { ["node"] = null, ["prompt_id"] = item.PromptId });
        events.Deliver(final, finalData);
    }

    /// <summary>ComfyUI's history entry for a finished prompt.</summary>
    public static JsonObject HistoryEntry(QueueItem item, JsonObject outputs, JsonObject meta, string final, JsonArray messages) => new()
    {
        ["prompt"] = item.ToJson(),
        ["outputs"] = outputs,
        ["status"] = new JsonObject
        {
            ["status_str"] = final == "execution_success" ? "success" : "error",
            ["completed"] = final == "execution_success",
            ["messages"] = messages,
        },
        ["meta"] = meta,
    };

    /// <summary>The entry of a prompt that was running when the server died twice: failed, not run again.</summary>
    public static JsonObject FailedAfterRestart(QueueItem item) => HistoryEntry(item, new JsonObject(), new JsonObject(), "execution_error",
        new JsonArray(new JsonArray("execution_error", Stamp(new JsonObject
        {
            ["node_id"] = null, ["node_type"] = null, ["executed"] = new JsonArray(),
            ["exception_message"] = "the server stopped while running this prompt, twice; it is not run again",
            ["exception_type"] = "ServerRestart", ["traceback"] = new JsonArray(),
            ["current_inputs"] = new JsonObject(), ["current_outputs"] = new JsonArray(),
        }, item))));

    public override void Dispose()
    {
        base.Dispose();
        _runner?.Dispose();
        _engine?.Dispose();
    }

    private RunOptions RunOptions(QueueItem item)
    {
        string method = PreviewMethod(item);
        return options.RunOptions() with
        {
            PreviewEvery = method is "none" ? 0 : 1,
            // As in ComfyUI: "auto" is the projection; "taesd" uses models/vae_approx's decoder when present.
            PreviewMethod = method is "taesd" ? Workflow.PreviewMethod.Taesd : Workflow.PreviewMethod.Latent2Rgb,
        };
    }

    /// <summary>extra_data.preview_method, else the server's: none, auto/latent2rgb (the latent→RGB
    /// projection) or taesd (TAESD images when models/vae_approx has the decoder).</summary>
    private string PreviewMethod(QueueItem item)
    {
        string? asked = JsonFields.String(item.ExtraData["preview_method"]);
        return asked is null or "default" ? options.PreviewMethod : asked;
    }

    private void Clear()
    {
        lock (_lock)
        {
            if (_releaseAfterRun)
            {
                ReplaceRunner();
            }
            _running = null;
            _interrupt = null;
            _currentNode = null;
        }
    }

    private static JsonObject Stamp(JsonObject data, QueueItem item)
    {
        data["prompt_id"] = item.PromptId;
        data["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return data;
    }

    private static JsonArray Ids(IEnumerable<string> ids) => new(ids.Select(i => (JsonNode?)i).ToArray());

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
