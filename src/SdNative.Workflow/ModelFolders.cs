namespace SdNative.Workflow;

/// <summary>
/// ComfyUI's folder layout: models/{checkpoints,vae,loras,tokenizers}, input/, output/. A name
/// from a workflow must pass <see cref="SafeRelativeName"/> (relative, no "..", no drive letter,
/// NUL or encoded separator); what it then names is followed like ComfyUI does, through any
/// symbolic link the user placed inside the folder (a checkpoint linked in from another disk,
/// or a linked checkpoints/ subfolder).
/// </summary>
public sealed class ModelFolders
{
    public const string Checkpoints = "checkpoints";
    public const string Vae = "vae";
    /// <summary>TAESD preview decoders (taesd_decoder.*, taesdxl_decoder.*) and encoders.</summary>
    public const string VaeApprox = "vae_approx";
    /// <summary>VAELoader's list (ComfyUI's VAELoader.vae_list): the files in models/vae, then
    /// "taesd" and "taesdxl" when models/vae_approx holds that TAESD's encoder and decoder.</summary>
    public const string VaeChoices = "vae+taesd";
    /// <summary>The TAESD VAEs VAELoader offers, with their latent scales (ComfyUI's load_taesd).</summary>
    public static readonly IReadOnlyList<(string Name, float LatentScale)> TaesdVaes = [("taesd", 0.18215f), ("taesdxl", 0.13025f)];
    /// <summary>LoraLoader's list: models/loras.</summary>
    public const string Loras = "loras";
    /// <summary>UNETLoader's list (ComfyUI's diffusion_models): models/unet and models/diffusion_models.</summary>
    public const string DiffusionModels = "unet|diffusion_models";
    /// <summary>CLIPLoader's list (ComfyUI's text_encoders): models/text_encoders and models/clip.</summary>
    public const string TextEncoders = "text_encoders|clip";
    /// <summary>LoadImage's list: image files at the top of input/.</summary>
    public const string InputImages = "input";
    /// <summary>LoadImageMask's list: every file at the top of input/.</summary>
    public const string InputFiles = "input_any";

    public static readonly IReadOnlyList<string> ModelExtensions = [".ckpt", ".pt", ".pt2", ".bin", ".pth", ".safetensors", ".pkl", ".sft", ".gguf"];
    // ComfyUI's folder_paths: one key can list several directories ("a|b" here); names from
    // all of them are offered, and a name resolves to the first directory that holds it.
    private static string[]? MergedDirectories(string folder) => folder.Contains('|') ? folder.Split('|') : null;

    private static bool IsModelFolder(string folder) =>
        folder is Checkpoints or Vae or VaeApprox or Loras || DiffusionModels.Split('|').Contains(folder) || TextEncoders.Split('|').Contains(folder);

    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".jpe", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".ico", ".svg", ".jfif", ".pjpeg", ".pjp", ".avif", ".heic", ".heif", ".tga", ".pbm", ".pgm", ".ppm", ".pnm", ".xbm", ".xpm", ".ras", ".rgb"];

    public ModelFolders(string modelsDir, string inputDir, string outputDir)
    {
        ModelsDir = Path.GetFullPath(modelsDir);
        InputDir = Path.GetFullPath(inputDir);
        OutputDir = Path.GetFullPath(outputDir);
    }

    public string ModelsDir { get; }
    public string InputDir { get; }
    public string OutputDir { get; }

    public string FolderPath(string folder) => folder switch
    {
        _ when IsModelFolder(folder) => Path.Combine(ModelsDir, folder),
        InputImages or InputFiles => InputDir,
        _ => throw new ArgumentException($"unknown folder '{folder}'", nameof(folder)),
    };

    /// <summary>The names a combo over this folder offers, sorted, with '/' separators.</summary>
    public IReadOnlyList<string> List(string folder)
    {
        if (folder == VaeChoices)
        {
            return List(Vae).Concat(TaesdVaes.Select(t => t.Name).Where(name => TaesdFile(name, "encoder") is not null && TaesdFile(name, "decoder") is not null)).ToList();
        }
        if (MergedDirectories(folder) is { } dirs)
        {
            return dirs.SelectMany(List).Distinct().Order(StringComparer.Ordinal).ToList();
        }
        string root = FolderPath(folder);
        if (!Directory.Exists(root))
        {
            return [];
        }
        bool recursive = IsModelFolder(folder);
        var names = new List<string>();
        foreach (var file in Walk(root, recursive))
        {
            string name = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            string ext = Path.GetExtension(file).ToLowerInvariant();
            bool wanted = folder switch
            {
                _ when recursive => ModelExtensions.Contains(ext),
                InputImages => ImageExtensions.Contains(ext),
                _ => true,
            };
            if (wanted && Resolve(folder, name) is not null)
            {
                names.Add(name);
            }
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Extensions of the files the engine reads (PyTorch pickles such as .pth it does not).</summary>
    public static readonly IReadOnlyList<string> ReadableExtensions = [".safetensors", ".sft", ".gguf"];

    /// <summary>The files in models/vae_approx whose names start with prefix, in ComfyUI's order, those
    /// the engine reads first (ComfyUI takes the first; a .pth sorts before a .safetensors).</summary>
    public IReadOnlyList<string> VaeApproxFiles(string prefix) => List(VaeApprox)
        .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
        .OrderBy(n => ReadableExtensions.Contains(Path.GetExtension(n).ToLowerInvariant()) ? 0 : 1)
        .ToList();

    /// <summary>The file in models/vae_approx named "{name}_{part}." (part: encoder or decoder) that
    /// VAELoader loads for "taesd" / "taesdxl"; null when there is none.</summary>
    public string? TaesdFile(string name, string part) =>
        VaeApproxFiles($"{name}_{part}.").FirstOrDefault() is { } file ? Resolve(VaeApprox, file) : null;

    /// <summary>Files under root, through linked folders too (os.walk(followlinks=True)); a folder
    /// whose real path is already on the way down is not entered again, so a link loop ends.</summary>
    private static IEnumerable<string> Walk(string root, bool recursive) => Walk(root, recursive, []);

    private static IEnumerable<string> Walk(string dir, bool recursive, HashSet<string> ancestors)
    {
        string real = RealPath(dir) ?? dir;
        if (!ancestors.Add(real))
        {
            yield break;
        }
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var file in Directory.EnumerateFiles(dir, "*", options))
        {
            yield return file;
        }
        if (recursive)
        {
            foreach (var sub in Directory.EnumerateDirectories(dir, "*", options))
            {
                foreach (var file in Walk(sub, true, ancestors))
                {
                    yield return file;
                }
            }
        }
        ancestors.Remove(real);
    }

    /// <summary>The file a name stands for, or null when the name is refused by
    /// <see cref="SafeRelativeName"/> or names no file (a broken link names none).</summary>
    public string? Resolve(string folder, string name)
    {
        if (MergedDirectories(folder) is { } dirs)
        {
            return dirs.Select(dir => Resolve(dir, name)).FirstOrDefault(path => path is not null);
        }
        var parts = SafeRelativeName.Split(name, out _);
        if (parts is null)
        {
            return null;
        }
        string candidate = Path.Combine(FolderPath(folder), Path.Combine(parts.ToArray()));
        // File.Exists answers for a link itself; the file behind every link must exist too.
        return File.Exists(candidate) && RealPath(candidate) is { } real && File.Exists(real) ? candidate : null;
    }

    /// <summary>The path with every symbolic link along it followed (like realpath(3)).</summary>
    public static string? RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        string? root = Path.GetPathRoot(full);
        if (root is null)
        {
            return null;
        }
        string current = root;
        var pending = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        int hops = 0;
        while (pending.Count > 0)
        {
            string next = Path.Combine(current, pending.Dequeue());
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++hops > 40)
                {
                    return null;
                }
                string resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
                var rest = pending.ToArray();
                string? resolvedRoot = Path.GetPathRoot(resolved);
                pending = new Queue<string>(resolved[(resolvedRoot ?? "/").Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = resolvedRoot ?? "/";
                continue;
            }
            current = next;
        }
        return current;
    }
}
