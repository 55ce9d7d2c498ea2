namespace SdNative.Workflow;

/// <summary>What validation looks things up in: the folders (for file combos) and the engine's
/// sampler list.</summary>
public sealed class ValidationContext(ModelFolders folders, Func<string, bool> samplerSupported)
{
    private readonly Dictionary<string, IReadOnlyList<string>> _lists = new();

    public ModelFolders Folders { get; } = folders;

    public Func<string, bool> SamplerSupported { get; } = samplerSupported;

    /// <summary>The choices of a combo input (a folder listing is read once per validation).</summary>
    public IReadOnlyList<string> Choices(InputSpec spec)
    {
        if (spec.Choices is not null)
        {
            return spec.Choices;
        }
        if (spec.Folder is null)
        {
            return [];
        }
        if (!_lists.TryGetValue(spec.Folder, out var list))
        {
            list = Folders.List(spec.Folder);
            _lists[spec.Folder] = list;
        }
        return list;
    }
}
