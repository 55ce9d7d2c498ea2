using SdNative.Imaging;

namespace SdNative.Workflow;

/// <summary>
/// The images one run has written so far: SaveImage's under output/, PreviewImage's under temp/,
/// and each output node's list for its ui. A batch that fails part-way removes the files it wrote
/// and fails as the node that asked for them.
/// </summary>
internal sealed class WrittenImages
{
    public List<string> Files { get; } = new();
    public List<string> Previews { get; } = new();
    public Dictionary<string, IReadOnlyList<SavedImage>> Images { get; } = new();

    /// <summary>Writes the held-back saves, in order; if one fails, removes those this call wrote.</summary>
    public void Write(RunServices services, IReadOnlyList<PendingSave> saves)
    {
        string promptJson = PythonJson.Dumps(PyValues.Normalize(services.SavedPrompt));
        Dictionary<string, string>? extra = services.ExtraPngInfo?.ToDictionary(kv => kv.Key, kv => PythonJson.Dumps(PyValues.Normalize(kv.Value)));
        var written = new List<string>();
        foreach (var save in saves)
        {
            try
            {
                var saved = ImageSaver.Save(save.Images, save.Folder, save.Prefix, promptJson, extra, save.CompressLevel, save.Type);
                Images[save.NodeId] = [.. Images.GetValueOrDefault(save.NodeId, []), .. saved];
                foreach (var image in saved)
                {
                    written.Add(image.FullPath);
                    (save.Type == "output" ? Files : Previews).Add(image.FullPath);
                }
            }
            catch (Exception e)
            {
                foreach (var path in written)
                {
                    try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                }
                var classType = services.Validation.Prompt![save.NodeId]!["class_type"]!.GetValue<string>();
                throw new WorkflowRuntimeException(save.NodeId, classType, e);
            }
        }
    }

    /// <summary>Writes the saves <paramref name="nodeId"/> held back and takes them off the pending list.</summary>
    public IReadOnlyList<SavedImage>? WriteNode(RunServices services, string nodeId)
    {
        var saves = services.PendingSaves.Where(s => s.NodeId == nodeId).ToList();
        services.PendingSaves.RemoveAll(s => s.NodeId == nodeId);
        Write(services, saves);
        return Images.GetValueOrDefault(nodeId);
    }
}
