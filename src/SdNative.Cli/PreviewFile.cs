using SdNative.Imaging;

namespace SdNative.Cli;

/// <summary>Passes progress on and writes every preview image it carries to one PNG file
/// (<see cref="ImageSaver.SaveReplacing"/>). A preview that cannot be written costs the
/// previews, never the run: the first failure is reported, later previews are dropped.</summary>
public sealed class PreviewFile(string path, IProgress<GenerationProgress> inner, TextWriter errors) : IProgress<GenerationProgress>
{
    private readonly object _gate = new();
    private bool _failed;

    /// <summary>Previews written so far.</summary>
    public int Written { get; private set; }

    public void Report(GenerationProgress value)
    {
        if (value.Preview is { } image)
        {
            Write(image);
        }
        inner.Report(value);
    }

    private void Write(ImageBatch image)
    {
        lock (_gate)
        {
            if (_failed)
            {
                return;
            }
            try
            {
                ImageSaver.SaveReplacing(image, path);
                Written++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _failed = true;
                errors.WriteLine($"sdnative: previews stop: cannot write {path}: {e.Message}");
            }
        }
    }
}
