using SdNative.Workflow.Nodes;

namespace SdNative.Workflow;

/// <summary>Crop, flip, rotate, pad and filter nodes for latents and images (nodes.py, comfy_extras/nodes_images.py and nodes_post_processing.py values).</summary>
public static partial class NodeCatalog
{
    private static IEnumerable<NodeDefinition> TransformDefinitions()
    {
        var step8 = $$"""{"default": 0, "min": 0, "max": {{MaxResolution}}, "step": 8}""";
        var step1 = $$"""{"default": 0, "min": 0, "max": {{MaxResolution}}, "step": 1}""";
        yield return new NodeDefinition
        {
            ClassName = "LatentCrop", DisplayName = "Crop Latent", Category = "latent/transform",
            Required =
            [
                Link("samples", "LATENT"),
                Int("width", $$"""{"default": 512, "min": 64, "max": {{MaxResolution}}, "step": 8}"""),
                Int("height", $$"""{"default": 512, "min": 64, "max": {{MaxResolution}}, "step": 8}"""),
                Int("x", step8), Int("y", step8),
            ],
            Outputs = ["LATENT"],
            Execute = LatentTransformNodes.Crop,
        };
        yield return new NodeDefinition
        {
            ClassName = "LatentFlip", DisplayName = "Flip Latent", Category = "latent/transform",
            Required = [Link("samples", "LATENT"), Combo("flip_method", LatentTransformNodes.FlipMethods)],
            Outputs = ["LATENT"],
            Execute = LatentTransformNodes.Flip,
        };
        yield return new NodeDefinition
        {
            ClassName = "LatentRotate", DisplayName = "Rotate Latent", Category = "latent/transform",
            Required = [Link("samples", "LATENT"), Combo("rotation", LatentTransformNodes.Rotations)],
            Outputs = ["LATENT"],
            Execute = LatentTransformNodes.Rotate,
        };
        yield return new NodeDefinition
        {
            ClassName = "ImageCrop", DisplayName = "Image Crop", Category = "image/transform",
            PythonModule = "comfy_extras.nodes_images",
            Required =
            [
                Link("image", "IMAGE"),
                Int("width", $$"""{"default": 512, "min": 1, "max": {{MaxResolution}}, "step": 1}"""),
                Int("height", $$"""{"default": 512, "min": 1, "max": {{MaxResolution}}, "step": 1}"""),
                Int("x", step1), Int("y", step1),
            ],
            Outputs = ["IMAGE"],
            Execute = ImageTransformNodes.Crop,
        };
        yield return new NodeDefinition
        {
            ClassName = "ImagePadForOutpaint", DisplayName = "Pad Image for Outpainting", Category = "image",
            Required =
            [
                Link("image", "IMAGE"), Int("left", step8), Int("top", step8), Int("right", step8), Int("bottom", step8),
                Int("feathering", $$"""{"default": 40, "min": 0, "max": {{MaxResolution}}, "step": 1}"""),
            ],
            Outputs = ["IMAGE", "MASK"],
            Execute = ImageTransformNodes.PadForOutpaint,
        };
        var radius = """{"default": 1, "min": 1, "max": 31, "step": 1}""";
        var sigma = """{"default": 1.0, "min": 0.1, "max": 10.0, "step": 0.1}""";
        yield return new NodeDefinition
        {
            ClassName = "ImageBlur", DisplayName = "Image Blur", Category = "image/postprocessing",
            PythonModule = "comfy_extras.nodes_post_processing",
            Required = [Link("image", "IMAGE"), Int("blur_radius", radius), Float("sigma", sigma)],
            Outputs = ["IMAGE"],
            Execute = ImageFilterNodes.Blur,
        };
        yield return new NodeDefinition
        {
            ClassName = "ImageSharpen", DisplayName = "Image Sharpen", Category = "image/postprocessing",
            PythonModule = "comfy_extras.nodes_post_processing",
            Required =
            [
                Link("image", "IMAGE"), Int("sharpen_radius", radius), Float("sigma", sigma),
                Float("alpha", """{"default": 1.0, "min": 0.0, "max": 5.0, "step": 0.1}"""),
            ],
            Outputs = ["IMAGE"],
            Execute = ImageFilterNodes.Sharpen,
        };
    }
}
