using SdNative.Workflow.Nodes;

namespace SdNative.Workflow;

/// <summary>CLIPTextEncodeSDXL, CLIPTextEncodeSDXLRefiner and ModelSamplingDiscrete with
/// ComfyUI's inputs, defaults and limits.</summary>
public static partial class NodeCatalog
{
    private static IEnumerable<NodeDefinition> SdxlDefinitions()
    {
        var size = $$"""{"default": 1024, "min": 0, "max": {{MaxResolution}}}""";
        var crop = $$"""{"default": 0, "min": 0, "max": {{MaxResolution}}}""";
        var text = """{"multiline": true, "dynamicPrompts": true}""";
        yield return new NodeDefinition
        {
            ClassName = "CLIPTextEncodeSDXL", DisplayName = "CLIPTextEncodeSDXL", Category = "advanced/conditioning",
            Required =
            [
                Link("clip", "CLIP"), Int("width", size), Int("height", size), Int("crop_w", crop), Int("crop_h", crop),
                Int("target_width", size), Int("target_height", size),
                new InputSpec("text_g", "STRING", O(text)), new InputSpec("text_l", "STRING", O(text)),
            ],
            Outputs = ["CONDITIONING"],
            Execute = SdxlNodes.ClipTextEncodeSdxl,
        };
        yield return new NodeDefinition
        {
            ClassName = "CLIPTextEncodeSDXLRefiner", DisplayName = "CLIPTextEncodeSDXLRefiner", Category = "advanced/conditioning",
            Required =
            [
                Float("ascore", """{"default": 6.0, "min": 0.0, "max": 1000.0, "step": 0.01}"""),
                Int("width", size), Int("height", size), new InputSpec("text", "STRING", O(text)), Link("clip", "CLIP"),
            ],
            Outputs = ["CONDITIONING"],
            Execute = SdxlNodes.ClipTextEncodeSdxlRefiner,
        };
        yield return new NodeDefinition
        {
            ClassName = "ModelSamplingDiscrete", DisplayName = "ModelSamplingDiscrete", Category = "advanced/model",
            Required = [Link("model", "MODEL"), Combo("sampling", SdxlNodes.SamplingTypes), new InputSpec("zsnr", "BOOLEAN", O("""{"default": false}"""))],
            Outputs = ["MODEL"],
            Execute = SdxlNodes.ModelSamplingDiscrete,
        };
    }
}
