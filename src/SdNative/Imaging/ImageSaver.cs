using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Imaging;

/// <summary>
/// SaveImage as ComfyUI does it: <c>prefix_00001_.png</c> numbering that continues after the
/// highest existing number, subfolders from the prefix, %width%/%height%/%year%... in the prefix,
/// pixels as uint8(clip(255*v)) (truncation), and PNG tEXt chunks "prompt" and one per
/// extra_pnginfo key (normally "workflow"), so ComfyUI can reopen the file.
/// </summary>
public static class ImageSaver
{
    /// <summary>Saves every image of the batch.</summary>
    /// <param name="outputDir">ComfyUI's output/ folder.</param>
    /// <param name="filenamePrefix">May contain a subfolder ("renders/cat") and %width% etc.</param>
    /// <param name="promptJson">The API-format prompt as json.dumps writes it (see <see cref="PythonJson"/>); null = no chunk.</param>
    /// <param name="extraPngInfo">Key → json.dumps(value); ComfyUI's UI sends only "workflow".</param>
    /// <param name="compressLevel">zlib level: 4 for SaveImage, 1 for PreviewImage.</param>
    public static IReadOnlyList<SavedImage> Save(
        ImageBatch images,
        string outputDir,
        string filenamePrefix = "ComfyUI",
        string? promptJson = null,
        IReadOnlyDictionary<string, string>? extraPngInfo = null,
        int compressLevel = 4,
        string type = "output",
        DateTime? now = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        var (folder, filename, counter, subfolder) = SavePath(filenamePrefix, outputDir, images.Width, images.Height, now ?? DateTime.Now);
        var saved = new List<SavedImage>();
        for (int b = 0; b < images.Batch; b++)
        {
            string name = $"{filename.Replace("%batch_num%", b.ToString(CultureInfo.InvariantCulture))}_{counter:D5}_.png";
            string path = Path.Combine(folder, name);
            WritePng(images, b, path, promptJson, extraPngInfo, compressLevel);
            saved.Add(new SavedImage(name, subfolder, type) { FullPath = path });
            counter++;
        }
        return saved;
    }

    /// <summary>Writes the first image of the batch to <paramref name="path"/> as a PNG that replaces
    /// the file there in one step (written beside it, then renamed over it), so a viewer watching
    /// the path never reads half a file.</summary>
    public static void SaveReplacing(ImageBatch images, string path, int compressLevel = 1)
    {
        ArgumentNullException.ThrowIfNull(images);
        string full = Path.GetFullPath(path);
        string partial = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.partial");
        try
        {
            WritePng(images, 0, partial, null, null, compressLevel);
            File.Move(partial, full, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>folder_paths.get_save_image_path: the folder (created), the file name stem, the
    /// first counter and the subfolder as ComfyUI reports it.</summary>
    public static (string Folder, string Filename, int Counter, string Subfolder) SavePath(string filenamePrefix, string outputDir, int width, int height, DateTime now)
    {
        string prefix = filenamePrefix
            .Replace("%width%", width.ToString(CultureInfo.InvariantCulture))
            .Replace("%height%", height.ToString(CultureInfo.InvariantCulture))
            .Replace("%year%", now.Year.ToString(CultureInfo.InvariantCulture))
            .Replace("%month%", now.Month.ToString("D2", CultureInfo.InvariantCulture))
            .Replace("%day%", now.Day.ToString("D2", CultureInfo.InvariantCulture))
            .Replace("%hour%", now.Hour.ToString("D2", CultureInfo.InvariantCulture))
            .Replace("%minute%", now.Minute.ToString("D2", CultureInfo.InvariantCulture))
            .Replace("%second%", now.Second.ToString("D2", CultureInfo.InvariantCulture));
        string normalized = NormPath(prefix);
        int slash = normalized.LastIndexOf('/');
        string subfolder = slash < 0 ? "" : normalized[..slash];
        string filename = slash < 0 ? normalized : normalized[(slash + 1)..];
        string root = Path.GetFullPath(outputDir);
        string folder = Path.GetFullPath(Path.Combine(root, subfolder));
        if (folder != root && !folder.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Saving image outside the output folder is not allowed.\n full_output_folder: {folder}\n         output_dir: {root}");
        }
        int counter = 1;
        if (Directory.Exists(folder))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
            {
                string f = Path.GetFileName(entry);
                int l = filename.Length;
                string head = f.Length > l + 1 ? f[..(l + 1)] : f;
                if (head.Length == l + 1 && head[..^1] == filename && head[^1] == '_')
                {
                    counter = Math.Max(counter, ParsePythonInt(f[(l + 1)..].Split('_')[0]) + 1);
                }
            }
        }
        else
        {
            Directory.CreateDirectory(folder);
        }
        return (folder, filename, counter, subfolder);
    }

    /// <summary>os.path.normpath for a relative POSIX path: drops "." and empty parts, folds "..".</summary>
    private static string NormPath(string path)
    {
        var parts = new List<string>();
        bool absolute = path.StartsWith('/');
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == ".." && parts.Count > 0 && parts[^1] != "..")
            {
                parts.RemoveAt(parts.Count - 1);
            }
            else if (part != ".." || !absolute)
            {
                parts.Add(part);
            }
        }
        string joined = string.Join('/', parts);
        return absolute ? "/" + joined : (joined.Length == 0 ? "." : joined);
    }

    // int() of Python: optional whitespace and sign; anything else is "0" in ComfyUI's counter.
    private static int ParsePythonInt(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out int v) ? v : 0;

    /// <summary>uint8(clip(255*v, 0, 255)): truncation, as numpy's astype does.</summary>
    public static byte ToByte(float v)
    {
        float scaled = 255f * v;
        if (float.IsNaN(scaled))
        {
            return 0;
        }
        return (byte)Math.Clamp(scaled, 0f, 255f);
    }

    private static void WritePng(ImageBatch images, int b, string path, string? promptJson, IReadOnlyDictionary<string, string>? extra, int compressLevel)
    {
        int h = images.Height, w = images.Width, c = images.Channels;
        var data = images.Pixels.Data;
        using var image = new Image<Rgba32>(w, h);
        var pixels = new Rgba32[w * h];
        for (int i = 0; i < pixels.Length; i++)
        {
            long at = ((long)b * h * w + i) * c;
            byte r = ToByte(data[at]);
            byte g = c >= 3 ? ToByte(data[at + 1]) : r;
            byte bl = c >= 3 ? ToByte(data[at + 2]) : r;
            byte a = c >= 4 ? ToByte(data[at + 3]) : (byte)255;
            pixels[i] = new Rgba32(r, g, bl, a);
        }
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                image[x, y] = pixels[y * w + x];
            }
        }
        var meta = image.Metadata.GetPngMetadata();
        if (promptJson is not null)
        {
            meta.TextData.Add(new PngTextData("prompt", promptJson, "", ""));
        }
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                meta.TextData.Add(new PngTextData(key, value, "", ""));
            }
        }
        var encoder = new PngEncoder
        {
            ColorType = c >= 4 ? PngColorType.RgbWithAlpha : c >= 3 ? PngColorType.Rgb : PngColorType.Grayscale,
            BitDepth = PngBitDepth.Bit8,
            CompressionLevel = (PngCompressionLevel)Math.Clamp(compressLevel, 0, 9),
            // ComfyUI writes plain tEXt chunks however long the JSON is.
            TextCompressionThreshold = int.MaxValue,
        };
        // Write to a temporary name first so a failure never leaves a half-written PNG.
        string temporary = path + ".partial";
        try
        {
            using (var stream = File.Create(temporary))
            {
                image.SaveAsPng(stream, encoder);
            }
            File.Move(temporary, path, overwrite: false);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>A 256x256 example picture (a sky gradient over a dark hill) for demos.</summary>
    public static void WriteExampleImage(string path, int size = 256)
    {
        var image = new ImageBatch(1, size, size, 3);
        var d = image.Pixels.Data;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                float fy = y / (float)(size - 1), fx = x / (float)(size - 1);
                float hill = 0.65f + 0.12f * MathF.Sin(fx * MathF.PI * 2f);
                bool ground = fy > hill;
                long i = image.Index(0, y, x, 0);
                d[i] = ground ? 0.15f + 0.1f * fx : 0.35f + 0.4f * fy;
                d[i + 1] = ground ? 0.35f : 0.55f + 0.3f * fy;
                d[i + 2] = ground ? 0.12f : 0.95f - 0.2f * fy;
            }
        }
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        WritePng(image, 0, Path.GetFullPath(path), null, null, 4);
    }
}
