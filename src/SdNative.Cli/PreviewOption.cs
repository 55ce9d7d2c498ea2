using System.CommandLine;
using SdNative.Workflow;

namespace SdNative.Cli;

/// <summary>
/// `--preview PATH` and `--preview-method none|auto|latent2rgb|taesd` (ComfyUI's switch): each
/// sampler step's preview image is written to PATH as a PNG, replaced in one step so an image
/// viewer can watch the file. auto (the default with --preview) takes the TAESD decoder for the
/// model's family from models/vae_approx (taesd_decoder.* for SD1.x/SD2.x, taesdxl_decoder.*
/// for SDXL) when there is one, else the latent→RGB projection; taesd asks for the decoder (the
/// projection with a warning when it is missing); latent2rgb is the projection.
/// </summary>
public static class PreviewOption
{
    private static readonly (string Name, PreviewMethod? Method)[] Methods =
    [
        ("none", null),
        ("auto", PreviewMethod.Auto),
        ("latent2rgb", PreviewMethod.Latent2Rgb),
        ("taesd", PreviewMethod.Taesd),
    ];

    public static Option<string?> CreatePath() => new("--preview")
    {
        Description = "Write each sampler step's preview to this PNG file (replaced in one step, so an image viewer can watch it).",
    };

    public static Option<string?> CreateMethod() => new("--preview-method")
    {
        Description = "How --preview images are made: auto (default: TAESD from models/vae_approx when present, else the latent→RGB projection), latent2rgb, taesd or none.",
    };

    /// <summary>Where previews go and how they are made; null with no error when there are none;
    /// null with <paramref name="error"/> set when the combination does not make sense.</summary>
    public static CliPreview? Resolve(string? path, string? method, out string? error)
    {
        error = null;
        var match = Methods.FirstOrDefault(m => m.Name == (method ?? "auto"));
        if (match.Name is null)
        {
            error = $"--preview-method takes {string.Join(", ", Methods.Select(m => m.Name))}, not '{method}'";
            return null;
        }
        if (path is null)
        {
            if (method is not null && match.Method is not null)
            {
                error = $"--preview-method {method} needs --preview PATH, the file the previews are written to";
            }
            return null;
        }
        if (match.Method is not { } chosen)
        {
            error = "--preview-method none leaves nothing for --preview to write";
            return null;
        }
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full) || !Directory.Exists(Path.GetDirectoryName(full)))
        {
            error = $"--preview {path}: needs a file name in a folder that exists";
            return null;
        }
        return new CliPreview(full, chosen);
    }
}

/// <summary>Sampler previews of `sdnative run`: the PNG file they replace and how they are made.</summary>
public sealed record CliPreview(string Path, PreviewMethod Method);
