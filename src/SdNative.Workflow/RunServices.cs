using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow;

/// <summary>An image save held back until every node has succeeded.</summary>
internal sealed record PendingSave(string NodeId, ImageBatch Images, string Folder, string Prefix, int CompressLevel, string Type);

/// <summary>What nodes use while a run is in progress.</summary>
internal sealed class RunServices
{
    private readonly Func<SdnEngine> _engine;

    public RunServices(Func<SdnEngine> engine, ModelFolders folders, RunOptions options, ValidationResult validation,
        JsonObject? extraPngInfo, IProgress<GenerationProgress>? progress, CancellationToken token)
    {
        _engine = engine;
        Folders = folders;
        Options = options;
        Validation = validation;
        ExtraPngInfo = extraPngInfo;
        Progress = progress;
        Token = token;
    }

    public SdnEngine Engine => _engine();
    public ModelFolders Folders { get; }
    public RunOptions Options { get; }
    public ValidationResult Validation { get; }
    public JsonObject? ExtraPngInfo { get; }
    public IProgress<GenerationProgress>? Progress { get; }
    public CancellationToken Token { get; }
    public List<PendingSave> PendingSaves { get; } = new();

    /// <summary>Warnings nodes raised while running (the run's result lists them after validation's).</summary>
    public List<string> Warnings { get; } = new();

    public void AddWarning(string warning)
    {
        lock (Warnings)
        {
            Warnings.Add(warning);
        }
    }

    /// <summary>The prompt SaveImage embeds (converted values, is_changed on file loaders).</summary>
    public JsonObject? SavedPrompt { get; set; }

    public SamplerChoice? SamplerChoice(string nodeId) => Validation.SamplerChoices.GetValueOrDefault(nodeId);
}
