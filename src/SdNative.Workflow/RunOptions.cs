namespace SdNative.Workflow;

/// <summary>Where a run finds its files and how it runs.</summary>
/// <param name="BaseDir">Holds models/, input/, output/ (and temp/ for PreviewImage); default: current folder.</param>
/// <param name="ModelsDir">Overrides BaseDir/models.</param>
/// <param name="InputDir">Overrides BaseDir/input.</param>
/// <param name="OutputDir">Overrides BaseDir/output.</param>
/// <param name="Threads">Engine threads (0 = physical cores); used when the runner creates its engine.</param>
/// <param name="Overrides">"NODE.INPUT" → value text (JSON if it parses, else a string); NODE is an id or a _meta.title.</param>
/// <param name="TokenizerPath">The CLIP vocabulary; null lets the engine search (beside the model, models/tokenizers, SDN_TOKENIZER).</param>
/// <param name="CpuVariant">The engine's CPU kernels; Auto picks the fastest the CPU supports.</param>
/// <param name="PreviewEvery">Samplers report an RGB preview of the latent every N steps through the progress
/// reporter (GenerationProgress.Preview); 0 = none.</param>
/// <param name="Device">Where the engine computes (auto, cpu, vulkan:N); null = the CPU.</param>
/// <param name="PreviewMethod">Where those previews come from: TAESD (models/vae_approx) or the projection.</param>
/// <param name="MemoryBudgetBytes">A cap on the engine's memory (0 = none; see <see cref="SdnEngineOptions.MemoryBudgetBytes"/>).</param>
public sealed record RunOptions(
    string? BaseDir = null,
    string? ModelsDir = null,
    string? InputDir = null,
    string? OutputDir = null,
    int Threads = 0,
    IReadOnlyList<KeyValuePair<string, string>>? Overrides = null,
    string? TokenizerPath = null,
    CpuVariant CpuVariant = CpuVariant.Auto,
    int PreviewEvery = 0,
    ComputeDevice? Device = null,
    PreviewMethod PreviewMethod = PreviewMethod.Auto,
    long MemoryBudgetBytes = 0)
{
    public string ResolvedBase => Path.GetFullPath(BaseDir ?? Directory.GetCurrentDirectory());

    public ModelFolders Folders() => new(
        ModelsDir ?? Path.Combine(ResolvedBase, "models"),
        InputDir ?? Path.Combine(ResolvedBase, "input"),
        OutputDir ?? Path.Combine(ResolvedBase, "output"));

    public string TempDir => Path.Combine(ResolvedBase, "temp");
}

/// <summary>One node's part in a run.</summary>
public sealed record NodeTiming(string NodeId, string ClassType, double Seconds, bool Cached);

/// <summary>What a successful run did.</summary>
/// <param name="FilesWritten">Full paths of the images SaveImage wrote, in order.</param>
/// <param name="PreviewFiles">Full paths PreviewImage wrote (temp/).</param>
/// <param name="Nodes">Every node the outputs needed, in the order they were reached.</param>
/// <param name="Warnings">Sampler aliases taken, outputs skipped for failing validation, ...</param>
/// <param name="NodeErrors">Validation errors of outputs that did not run (ComfyUI's node_errors).</param>
public sealed record RunResult(
    IReadOnlyList<string> FilesWritten,
    IReadOnlyList<string> PreviewFiles,
    IReadOnlyList<NodeTiming> Nodes,
    IReadOnlyList<string> Warnings,
    System.Text.Json.Nodes.JsonObject NodeErrors)
{
    /// <summary>Per output node (SaveImage, PreviewImage): the images it wrote, or, served from the
    /// cache, the images the run that computed it wrote (ComfyUI re-sends a cached node's ui).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<SdNative.Imaging.SavedImage>> Images { get; init; } =
        new Dictionary<string, IReadOnlyList<SdNative.Imaging.SavedImage>>();

    /// <summary>Ids of the nodes that actually executed (not served from the cache).</summary>
    public IReadOnlyList<string> Executed => Nodes.Where(n => !n.Cached).Select(n => n.NodeId).ToList();
}

/// <summary>Reported as each node starts.</summary>
public sealed record NodeStarted(string NodeId, string ClassType, int Index, int Count);

/// <summary>Reported as a node is done. Images: an output node's images (from the run that wrote
/// them when Cached); null for other nodes.</summary>
public sealed record NodeFinished(string NodeId, string ClassType, bool Cached, IReadOnlyList<SdNative.Imaging.SavedImage>? Images);
