using System.Security.Cryptography;
using SdNative.Imaging;

namespace SdNative.Server;

/// <summary>
/// Stores uploaded files as ComfyUI's image_upload does. Without overwrite, a name already taken
/// is compared by SHA-256 with the uploaded bytes: the same content reuses that name and nothing
/// is written; different content tries "name (1).ext", "name (2).ext", … (each compared the same
/// way). The file is written under a hidden temporary name, checked, and then moved into place
/// without replacing anything, so two uploads racing for a name both keep their file and no
/// half-written file ever carries the final name.
/// </summary>
public static class Uploads
{
    private const int MaxRenames = 10_000;

    /// <summary>The decoder's limits applied to uploads (the same as LoadImage's), with the upload size.</summary>
    public static ImageLimits Limits(long maxFileBytes) => ImageLimits.Default with { MaxFileBytes = maxFileBytes };

    /// <summary>Writes <paramref name="content"/> (made from the temporary file holding the uploaded
    /// bytes) as <paramref name="fileName"/> in <paramref name="folder"/>, and returns the name used.</summary>
    public static string Store(string folder, string fileName, byte[] uploaded, bool overwrite, Func<string, byte[]> content)
    {
        Directory.CreateDirectory(folder);
        string staging = Path.Combine(folder, $".upload-{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(staging, uploaded);
            byte[] stored = content(staging);
            if (!ReferenceEquals(stored, uploaded))
            {
                File.WriteAllBytes(staging, stored);
            }
            return Place(folder, fileName, staging, uploaded, overwrite);
        }
        finally
        {
            File.Delete(staging);
        }
    }

    /// <summary>The image check for a plain upload: it must decode within the limits.</summary>
    public static byte[] CheckImage(string staging, byte[] uploaded, ImageLimits limits)
    {
        try
        {
            using var image = ImageLoader.Decode(staging, limits, out _);
            return uploaded;
        }
        catch (ImageFileException e)
        {
            throw RequestRefusedException.BadRequest("invalid_image", $"The upload is not a usable image: {Reason(e)}");
        }
    }

    /// <summary>The loader's reason without the file path it starts with (a server path is no
    /// client's business).</summary>
    public static string Reason(ImageFileException e) =>
        e.Message.StartsWith(e.FilePath + ": ", StringComparison.Ordinal) ? e.Message[(e.FilePath.Length + 2)..] : "the image can't be read";

    private static string Place(string folder, string fileName, string staging, byte[] uploaded, bool overwrite)
    {
        string stem = Path.GetFileNameWithoutExtension(fileName), extension = Path.GetExtension(fileName);
        string name = fileName;
        byte[] digest = SHA256.HashData(uploaded);
        for (int i = 1; i <= MaxRenames; i++)
        {
            string target = Path.Combine(folder, name);
            if (overwrite)
            {
                File.Move(staging, target, overwrite: true);
                return name;
            }
            if (File.Exists(target) && SameContent(target, digest))
            {
                return name;
            }
            if (!File.Exists(target) && !Directory.Exists(target) && TryMove(staging, target))
            {
                return name;
            }
            name = $"{stem} ({i}){extension}";
        }
        throw RequestRefusedException.BadRequest("name_taken", $"'{fileName}' and {MaxRenames} numbered variants are all taken");
    }

    private static bool TryMove(string staging, string target)
    {
        try
        {
            File.Move(staging, target, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(target) || Directory.Exists(target))
        {
            return false; // another upload took the name first
        }
    }

    private static bool SameContent(string path, byte[] digest)
    {
        using var stream = File.OpenRead(path);
        return SHA256.HashData(stream).AsSpan().SequenceEqual(digest);
    }
}
