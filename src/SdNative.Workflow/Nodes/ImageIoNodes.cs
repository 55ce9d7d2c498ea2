using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Nodes;

/// <summary>Image loading, saving and pixel nodes (SdNative.Imaging does the pixel work).</summary>
internal static class ImageIoNodes
{
    private const string PreviewLetters = "abcdefghijklmnopqrstupvxyz"; // sic: ComfyUI's string

    /// <summary>LoadImage's value: "name.png", "sub/name.png", optionally " [input]" or
    /// " [output]" to pick the folder. Null when it is not a file inside that folder.</summary>
    public static string? ResolveImage(ModelFolders folders, string value)
    {
        if (value.EndsWith(" [output]", StringComparison.Ordinal))
        {
            var outputs = new ModelFolders(folders.ModelsDir, folders.OutputDir, folders.OutputDir);
            return outputs.Resolve(ModelFolders.InputFiles, value[..^" [output]".Length]);
        }
        if (value.EndsWith(" [input]", StringComparison.Ordinal))
        {
            value = value[..^" [input]".Length];
        }
        return folders.Resolve(ModelFolders.InputFiles, value);
    }

    /// <summary>VALIDATE_INPUTS of LoadImage/LoadImageMask: the file must exist.</summary>
    public static string? ValidateImage(ValidationContext context, JsonObject inputs, string name)
    {
        string value = PyValues.Str_(inputs[name]);
        return ResolveImage(context.Folders, value) is null ? $"Invalid image file: {value}" : null;
    }

    private static string ImagePath(NodeExecution e) => ResolveImage(e.Services.Folders, e.Str("image"))
        ?? throw new FileNotFoundException($"Invalid image file: {e.Str("image")}");

    public static Task<object?[]> LoadImage(NodeExecution e)
    {
        var (image, mask) = ImageLoader.LoadImage(ImagePath(e));
        return LatentNodes.Done(image, mask);
    }

    public static Task<object?[]> LoadImageMask(NodeExecution e) =>
        LatentNodes.Done(ImageLoader.LoadImageMask(ImagePath(e), e.Str("channel")));

    public static Task<object?[]> SaveImage(NodeExecution e)
    {
        e.Services.PendingSaves.Add(new PendingSave(e.NodeId, e.Get<ImageBatch>("images"), e.Services.Folders.OutputDir, e.Str("filename_prefix"), 4, "output"));
        return LatentNodes.Done();
    }

    public static Task<object?[]> PreviewImage(NodeExecution e)
    {
        string suffix = string.Concat(Enumerable.Range(0, 5).Select(_ => PreviewLetters[Random.Shared.Next(PreviewLetters.Length)]));
        e.Services.PendingSaves.Add(new PendingSave(e.NodeId, e.Get<ImageBatch>("images"), e.Services.Options.TempDir, "ComfyUI_temp_" + suffix, 1, "temp"));
        return LatentNodes.Done();
    }

    public static Task<object?[]> ImageScale(NodeExecution e) =>
        LatentNodes.Done(ImageNodes.ImageScale(e.Get<ImageBatch>("image"), e.Str("upscale_method"), (int)e.Int("width"), (int)e.Int("height"), e.Str("crop")));

    public static Task<object?[]> ImageScaleBy(NodeExecution e) =>
        LatentNodes.Done(ImageNodes.ImageScaleBy(e.Get<ImageBatch>("image"), e.Str("upscale_method"), e.Float("scale_by")));

    public static Task<object?[]> ImageInvert(NodeExecution e) =>
        LatentNodes.Done(ImageNodes.ImageInvert(e.Get<ImageBatch>("image")));

    public static Task<object?[]> ImageBlend(NodeExecution e) =>
        LatentNodes.Done(ImageNodes.ImageBlend(e.Get<ImageBatch>("image1"), e.Get<ImageBatch>("image2"), (float)e.Float("blend_factor"), e.Str("blend_mode")));
}
