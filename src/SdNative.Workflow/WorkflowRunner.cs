using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SdNative.Imaging;

namespace SdNative.Workflow;

/// <summary>
/// Runs ComfyUI API-format workflows: validates as ComfyUI does, executes only what the output
/// nodes need, in dependency order, and keeps node outputs between runs (keyed by class, inputs
/// and upstream keys) so a changed seed re-runs only the sampler and what follows. Images are
/// written only once every node has succeeded, unless <see cref="WriteImagesAsNodesRun"/> asks for
/// ComfyUI's way. One run at a time per runner.
/// </summary>
public sealed class WorkflowRunner : IDisposable
{
    private sealed class CacheEntry(object?[] outputs, List<IDisposable> owned)
    {
        public object?[] Outputs { get; } = outputs;
        public List<IDisposable> Owned { get; } = owned;

        /// <summary>An output node's images from the run that wrote them, re-reported when it is served from the cache.</summary>
        public IReadOnlyList<SavedImage>? Images { get; set; }
    }

    private readonly Dictionary<string, CacheEntry> _cache = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger? _logger;
    private readonly Func<string, bool> _samplerSupported;
    private SdnEngine? _engine;
    private readonly bool _ownsEngine;

    /// <param name="engine">An engine to run on; null creates one (with RunOptions.Threads) on first use.</param>
    /// <param name="samplerSupported">Which ComfyUI sampler names the engine implements; default asks libsdnative.</param>
    public WorkflowRunner(SdnEngine? engine = null, ILogger? logger = null, Func<string, bool>? samplerSupported = null)
    {
        _engine = engine;
        _ownsEngine = engine is null;
        _logger = logger;
        _samplerSupported = samplerSupported ?? NativeSamplerSupported;
    }

    /// <summary>Node executions so far (cache hits not counted), for tests and diagnostics.</summary>
    public int ExecutionCount { get; private set; }

    /// <summary>Reported as each node starts executing.</summary>
    public IProgress<NodeStarted>? NodeProgress { get; set; }

    /// <summary>Reported once per run, before any node executes: the ids of the nodes the run
    /// will take from the cache (ComfyUI's execution_cached).</summary>
    public IProgress<IReadOnlyList<string>>? CachedNodes { get; set; }

    /// <summary>Reported as each node the run needs is done: right after it executed (an output
    /// node once its images are written) or when it is served from the cache.</summary>
    public IProgress<NodeFinished>? NodeFinished { get; set; }

    /// <summary>False (the default): images are written only once every node has succeeded, so a
    /// failed or cancelled run writes nothing. True: each output node writes its images as soon as
    /// it runs, as ComfyUI's SaveImage does, so a client hears of them at once and a later failing
    /// node leaves the earlier nodes' images written.</summary>
    public bool WriteImagesAsNodesRun { get; set; }

    public static bool NativeSamplerSupported(string name)
    {
        // No engine to ask: validation alone cannot tell; sampling will.
        return SamplerSupport.IsSupported(name) ?? true;
    }

    /// <summary>Validates workflow text (an API node map or a /prompt body) against the folders of options.</summary>
    public ValidationResult Validate(string json, RunOptions? options = null)
    {
        options ??= new RunOptions();
        WorkflowDocument document;
        try
        {
            document = WorkflowDocument.Parse(json);
            ApplyOverrides(document.Prompt, options.Overrides);
        }
        catch (WorkflowValidationException e)
        {
            var error = (JsonObject)e.Body["error"]!;
            return ValidationResult.Failed(error["type"]!.GetValue<string>(), error["message"]!.GetValue<string>(), error["details"]!.GetValue<string>());
        }
        return Validate(document, options);
    }

    public ValidationResult Validate(WorkflowDocument document, RunOptions options) =>
        WorkflowValidator.Validate(document.Prompt, new ValidationContext(options.Folders(), _samplerSupported));

    /// <summary>Parses, validates and runs a workflow. Throws <see cref="WorkflowValidationException"/>
    /// (ComfyUI's error body) when it does not validate, <see cref="WorkflowRuntimeException"/> when a
    /// node fails, <see cref="OperationCanceledException"/> when cancelled; in all three cases no
    /// output file is written (unless <see cref="WriteImagesAsNodesRun"/>: then the output nodes that
    /// ran before keep theirs).</summary>
    public Task<RunResult> RunAsync(string json, RunOptions options, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var document = WorkflowDocument.Parse(json);
        return RunAsync(document, options, progress, cancellationToken);
    }

    public async Task<RunResult> RunAsync(WorkflowDocument document, RunOptions options, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(options);
        ApplyOverrides(document.Prompt, options.Overrides);
        var folders = options.Folders();
        var validation = WorkflowValidator.Validate(document.Prompt, new ValidationContext(folders, _samplerSupported));
        if (!validation.IsValid)
        {
            throw new WorkflowValidationException(validation.ConsoleText(), validation.ToErrorBody(), validation);
        }
        var warnings = new List<string>(validation.Warnings);
        foreach (var (id, entry) in validation.NodeErrors)
        {
            warnings.Add($"node {id} ({entry!["class_type"]}) failed validation; outputs {entry["dependent_outputs"]!.ToJsonString()} are skipped");
        }
        foreach (var w in warnings)
        {
            _logger?.LogWarning("{Warning}", w);
        }
        MemoryPreflight.Check(validation.Prompt!, validation.Outputs, AvailableMemory.Read);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var prompt = validation.Prompt!;
            var services = new RunServices(() => Engine(options), folders, options, validation, document.ExtraPngInfo, progress, cancellationToken)
            {
                SavedPrompt = (JsonObject)prompt.DeepClone(),
            };
            var written = new WrittenImages();
            var run = new Execution(this, prompt, services, written);
            CachedNodes?.Report(run.CachedAmong(validation.Outputs));
            foreach (var output in validation.Outputs)
            {
                await run.EvaluateAsync(output).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var w in services.Warnings)
            {
                _logger?.LogWarning("{Warning}", w);
                warnings.Add(w);
            }
            written.Write(services, services.PendingSaves);
            var images = written.Images;
            foreach (var (key, entry) in run.DeferredCache)
            {
                entry.Entry.Images = images.GetValueOrDefault(entry.NodeId);
                _cache[key] = entry.Entry;
                NodeFinished?.Report(new NodeFinished(entry.NodeId, entry.ClassType, false, entry.Entry.Images));
            }
            foreach (var (id, cachedImages) in run.CachedImages)
            {
                images[id] = cachedImages;
            }
            // Keep what this run used; release the rest (ComfyUI's cache keeps the latest prompt).
            foreach (var key in _cache.Keys.Where(k => !run.UsedKeys.Contains(k)).ToList())
            {
                foreach (var owned in _cache[key].Owned)
                {
                    owned.Dispose();
                }
                _cache.Remove(key);
            }
            return new RunResult(written.Files, written.Previews, run.Timings, warnings, validation.NodeErrors) { Images = images };
        }
        finally
        {
            _gate.Release();
        }
    }

    private SdnEngine Engine(RunOptions options) => _engine ??= new SdnEngine(new SdnEngineOptions(Threads: options.Threads, CpuVariant: options.CpuVariant, Device: options.Device, MemoryBudgetBytes: options.MemoryBudgetBytes), _logger);

    /// <summary>Applies "NODE.INPUT" = value overrides (NODE = id or _meta.title).</summary>
    public static void ApplyOverrides(JsonObject prompt, IReadOnlyList<KeyValuePair<string, string>>? overrides)
    {
        foreach (var (key, text) in overrides ?? [])
        {
            int dot = key.LastIndexOf('.');
            if (dot <= 0 || dot == key.Length - 1)
            {
                throw WorkflowValidationException.Prompt("invalid_prompt", "Invalid override", $"'{key}' is not NODE.INPUT");
            }
            string node = key[..dot], input = key[(dot + 1)..];
            var target = prompt[node] as JsonObject
                ?? prompt.Select(kv => kv.Value as JsonObject).FirstOrDefault(o => o?["_meta"]?["title"] is JsonValue t && t.GetValueKind() == System.Text.Json.JsonValueKind.String && t.GetValue<string>() == node)
                ?? throw WorkflowValidationException.Prompt("invalid_prompt", "Invalid override", $"'{key}': no node has the id or title '{node}'");
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                value = PyValues.Str(text);
            }
            if (target["inputs"] is not JsonObject inputs)
            {
                inputs = new JsonObject();
                target["inputs"] = inputs;
            }
            inputs[input] = value;
        }
    }

    public void Dispose()
    {
        foreach (var entry in _cache.Values)
        {
            foreach (var owned in entry.Owned)
            {
                owned.Dispose();
            }
        }
        _cache.Clear();
        if (_ownsEngine)
        {
            _engine?.Dispose();
        }
        _gate.Dispose();
    }

    /// <summary>An output node's cache entry, stored once its images are written.</summary>
    private sealed record DeferredEntry(string NodeId, string ClassType, CacheEntry Entry);

    /// <summary>One run's walk over the graph.</summary>
    private sealed class Execution(WorkflowRunner runner, JsonObject prompt, RunServices services, WrittenImages written)
    {
        private readonly Dictionary<string, string> _keys = new();
        private readonly Dictionary<string, object?[]> _results = new();
        private readonly HashSet<string> _inProgress = new();

        public HashSet<string> UsedKeys { get; } = new();
        public List<(string Key, DeferredEntry Entry)> DeferredCache { get; } = new();
        public Dictionary<string, IReadOnlyList<SavedImage>> CachedImages { get; } = new();
        public List<NodeTiming> Timings { get; } = new();

        private JsonObject Node(string id) => (JsonObject)prompt[id]!;

        private static string ClassOf(JsonObject node) => node["class_type"]!.GetValue<string>();

        /// <summary>The cache key: class, constant inputs, upstream keys, and what IS_CHANGED
        /// would report (file contents for loaders).</summary>
        public string Key(string id)
        {
            if (_keys.TryGetValue(id, out var known))
            {
                return known;
            }
            if (!_inProgress.Add(id))
            {
                throw new WorkflowRuntimeException(id, ClassOf(Node(id)), new InvalidOperationException("the workflow has a cycle"));
            }
            var node = Node(id);
            var definition = NodeCatalog.Find(ClassOf(node))!;
            var sb = new StringBuilder(definition.ClassName);
            var inputs = node["inputs"] as JsonObject ?? new JsonObject();
            foreach (var (spec, _) in definition.AllInputs)
            {
                if (!inputs.TryGetPropertyValue(spec.Name, out var value))
                {
                    continue;
                }
                sb.Append('|').Append(spec.Name).Append('=');
                if (value is JsonArray link)
                {
                    sb.Append('<').Append(Key(link[0]!.GetValue<string>())).Append('#').Append(link[1]!.ToJsonString()).Append('>');
                }
                else
                {
                    sb.Append(value?.ToJsonString());
                }
            }
            if (services.SamplerChoice(id) is { } choice)
            {
                sb.Append("|alias=").Append(choice.Sampler).Append('/').Append(choice.Scheduler);
            }
            sb.Append("|changed=").Append(IsChanged(id, definition, inputs));
            _inProgress.Remove(id);
            string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
            _keys[id] = key;
            return key;
        }

        private string IsChanged(string id, NodeDefinition definition, JsonObject inputs)
        {
            string? Model(string folder, string input) => services.Folders.Resolve(folder, PyValues.Str_(inputs[input]));
            string?[] paths = definition.ClassName switch
            {
                "LoadImage" or "LoadImageMask" => [Nodes.ImageIoNodes.ResolveImage(services.Folders, PyValues.Str_(inputs["image"]))],
                "CheckpointLoaderSimple" => [Model(ModelFolders.Checkpoints, "ckpt_name")],
                "VAELoader" => [Model(ModelFolders.Vae, "vae_name")],
                "UNETLoader" => [Model(ModelFolders.DiffusionModels, "unet_name")],
                "CLIPLoader" => [Model(ModelFolders.TextEncoders, "clip_name")],
                "DualCLIPLoader" => [Model(ModelFolders.TextEncoders, "clip_name1"), Model(ModelFolders.TextEncoders, "clip_name2")],
                "LoraLoader" or "LoraLoaderModelOnly" => [Model(ModelFolders.Loras, "lora_name")],
                _ => [],
            };
            if (paths.Length == 0 || paths.Any(p => p is null))
            {
                return "";
            }
            if (definition.ClassName.StartsWith("Load", StringComparison.Ordinal))
            {
                // LoadImage's IS_CHANGED is the sha256 of the file; the saved prompt carries it.
                using var stream = File.OpenRead(paths[0]!);
                string hash = Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
                if (services.SavedPrompt?[id] is JsonObject saved)
                {
                    saved["is_changed"] = new JsonArray(hash);
                }
                return hash;
            }
            // Models are large: their size and time stamp stand for their contents.
            return string.Join("|", paths.Select(path =>
            {
                var info = new FileInfo(path!);
                return $"{path}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
            }));
        }

        public async Task<object?[]> EvaluateAsync(string id)
        {
            if (_results.TryGetValue(id, out var done))
            {
                return done;
            }
            services.Token.ThrowIfCancellationRequested();
            var node = Node(id);
            var definition = NodeCatalog.Find(ClassOf(node))!;
            string key = Key(id);
            UsedKeys.Add(key);
            MarkUpstreamUsed(id);
            if (runner._cache.TryGetValue(key, out var cached))
            {
                if (cached.Images is { } images)
                {
                    CachedImages[id] = images;
                }
                _results[id] = cached.Outputs;
                Timings.Add(new NodeTiming(id, definition.ClassName, 0, true));
                runner.NodeFinished?.Report(new NodeFinished(id, definition.ClassName, true, cached.Images));
                return cached.Outputs;
            }
            var inputs = new Dictionary<string, object?>();
            var raw = node["inputs"] as JsonObject ?? new JsonObject();
            foreach (var (spec, _) in definition.AllInputs)
            {
                if (!raw.TryGetPropertyValue(spec.Name, out var value))
                {
                    continue;
                }
                if (value is JsonArray link)
                {
                    var upstream = await EvaluateAsync(link[0]!.GetValue<string>()).ConfigureAwait(false);
                    int slot = (int)PyValues.AsBigInteger(link[1]!);
                    inputs[spec.Name] = upstream[slot < 0 ? slot + upstream.Length : slot];
                }
                else
                {
                    inputs[spec.Name] = value;
                }
            }
            services.Token.ThrowIfCancellationRequested();
            runner.NodeProgress?.Report(new NodeStarted(id, definition.ClassName, Timings.Count, prompt.Count));
            var execution = new NodeExecution(id, inputs, services);
            var clock = Stopwatch.StartNew();
            object?[] outputs;
            try
            {
                outputs = await definition.Execute(execution).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (services.Token.IsCancellationRequested)
            {
                foreach (var owned in execution.Owned) owned.Dispose();
                throw;
            }
            catch (Exception e) when (e is not WorkflowRuntimeException)
            {
                foreach (var owned in execution.Owned) owned.Dispose();
                throw new WorkflowRuntimeException(id, definition.ClassName, e);
            }
            runner.ExecutionCount++;
            Timings.Add(new NodeTiming(id, definition.ClassName, clock.Elapsed.TotalSeconds, false));
            if (runner._cache.Remove(key, out var stale))
            {
                foreach (var owned in stale.Owned) owned.Dispose();
            }
            var entry = new CacheEntry(outputs, execution.Owned);
            _results[id] = outputs;
            if (definition.IsOutputNode && !runner.WriteImagesAsNodesRun)
            {
                // An output node counts as done only once its files are written, after the last node.
                DeferredCache.Add((key, new DeferredEntry(id, definition.ClassName, entry)));
                return outputs;
            }
            if (definition.IsOutputNode)
            {
                entry.Images = written.WriteNode(services, id);
            }
            runner._cache[key] = entry;
            runner.NodeFinished?.Report(new NodeFinished(id, definition.ClassName, false, entry.Images));
            return outputs;
        }

        /// <summary>The nodes the outputs need whose results are already cached, in prompt order.</summary>
        public IReadOnlyList<string> CachedAmong(IReadOnlyList<string> outputs)
        {
            var needed = PromptGraph.Reachable(prompt, outputs);
            return prompt.Select(kv => kv.Key).Where(id => needed.Contains(id) && runner._cache.ContainsKey(Key(id))).ToList();
        }

        private void MarkUpstreamUsed(string id)
        {
            var raw = Node(id)["inputs"] as JsonObject;
            foreach (var (_, value) in raw ?? new JsonObject())
            {
                if (value is JsonArray link && link.Count == 2 && link[0] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String
                    && prompt.ContainsKey(v.GetValue<string>()))
                {
                    string upstream = v.GetValue<string>();
                    if (UsedKeys.Add(Key(upstream)))
                    {
                        MarkUpstreamUsed(upstream);
                    }
                }
            }
        }
    }
}
