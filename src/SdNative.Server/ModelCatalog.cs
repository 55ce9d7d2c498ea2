using SdNative.Workflow;

namespace SdNative.Server;

/// <summary>
/// ComfyUI's model folder keys (folder_paths.py) and the files under each. The keys the workflow
/// library knows (checkpoints, vae, text_encoders, diffusion_models) list and resolve exactly as
/// the loaders' combos do, legacy folders (clip/, unet/) included; every other key is
/// models/&lt;key&gt; searched for model files (configs: .yaml). Names are confined by
/// <see cref="SafeRelativeName"/>.
/// </summary>
public static class ModelCatalog
{
    public static readonly IReadOnlyList<string> Keys =
    [
        "checkpoints", "configs", "loras", "vae", "text_encoders", "diffusion_models", "clip_vision", "style_models",
        "embeddings", "diffusers", "vae_approx", "controlnet", "gligen", "upscale_models", "latent_upscale_models",
        "custom_nodes", "hypernetworks", "photomaker", "classifiers", "model_patches", "audio_encoders",
    ];

    private const int MaxDepth = 16;

    /// <summary>The file names (relative, '/'-separated, sorted) under a key; null for an unknown key.</summary>
    public static IReadOnlyList<string>? List(ModelFolders folders, string key)
    {
        if (!Keys.Contains(key))
        {
            return null;
        }
        if (LoaderFolder(key) is { } known)
        {
            return folders.List(known);
        }
        if (key == "custom_nodes")
        {
            return []; // this server loads no custom nodes
        }
        string root = Path.Combine(folders.ModelsDir, key);
        if (!Directory.Exists(root))
        {
            return [];
        }
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = MaxDepth, IgnoreInaccessible = true };
        return Directory.EnumerateFiles(root, "*", options)
            .Where(file => Wanted(key, file))
            .Select(file => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The file a name under a key stands for, or null (unknown key, refused name, no file).</summary>
    public static string? Resolve(ModelFolders folders, string key, string name)
    {
        if (!Keys.Contains(key) || key == "custom_nodes")
        {
            return null;
        }
        if (LoaderFolder(key) is { } known)
        {
            return folders.Resolve(known, name);
        }
        var parts = SafeRelativeName.Split(name, out _);
        string? path = parts is null ? null : Path.Combine(folders.ModelsDir, key, Path.Combine(parts.ToArray()));
        return path is not null && File.Exists(path) ? path : null;
    }

    private static string? LoaderFolder(string key) => key switch
    {
        "checkpoints" => ModelFolders.Checkpoints,
        "vae" => ModelFolders.Vae,
        "text_encoders" => ModelFolders.TextEncoders,
        "diffusion_models" => ModelFolders.DiffusionModels,
        _ => null,
    };

    private static bool Wanted(string key, string file)
    {
        string extension = Path.GetExtension(file).ToLowerInvariant();
        return key == "configs" ? extension == ".yaml" : ModelFolders.ModelExtensions.Contains(extension);
    }
}
