namespace SdNative.Imaging;

/// <summary>One file SaveImage wrote, as ComfyUI reports it in its "ui.images" list.</summary>
public sealed record SavedImage(string Filename, string Subfolder, string Type = "output")
{
    /// <summary>The absolute path of the file under the output folder it was saved in.</summary>
    public string FullPath { get; init; } = "";
}
