namespace SdNative.Imaging;

/// <summary>An image file that could not be read: missing, unknown format, corrupt, or over a limit.
/// The message names the file (and the limit, when one was hit).</summary>
public sealed class ImageFileException : Exception
{
    public ImageFileException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        FilePath = path;
    }

    public string FilePath { get; }
}
