using SdNative.Workflow.Nodes;

namespace SdNative.Workflow;

/// <summary>LoraLoader and LoraLoaderModelOnly (nodes.py values, tooltips included).</summary>
public static partial class NodeCatalog
{
    private const string LoraStrength = """{"default": 1.0, "min": -100.0, "max": 100.0, "step": 0.01""";

    private static IEnumerable<NodeDefinition> LoraDefinitions()
    {
        yield return new NodeDefinition
        {
            ClassName = "LoraLoader", DisplayName = "Load LoRA", Category = "loaders",
            Description = "LoRAs are used to modify diffusion and CLIP models, altering the way in which latents are denoised such as applying styles. Multiple LoRA nodes can be linked together.",
            Required =
            [
                new InputSpec("model", "MODEL", O("""{"tooltip": "The diffusion model the LoRA will be applied to."}""")),
                new InputSpec("clip", "CLIP", O("""{"tooltip": "The CLIP model the LoRA will be applied to."}""")),
                Files("lora_name", ModelFolders.Loras, """{"tooltip": "The name of the LoRA."}"""),
                Float("strength_model", LoraStrength + """, "tooltip": "How strongly to modify the diffusion model. This value can be negative."}"""),
                Float("strength_clip", LoraStrength + """, "tooltip": "How strongly to modify the CLIP model. This value can be negative."}"""),
            ],
            Outputs = ["MODEL", "CLIP"],
            Execute = LoraNodes.LoraLoader,
        };
        yield return new NodeDefinition
        {
            ClassName = "LoraLoaderModelOnly", DisplayName = "LoraLoaderModelOnly", Category = "loaders",
            Description = "LoRAs are used to modify diffusion and CLIP models, altering the way in which latents are denoised such as applying styles. Multiple LoRA nodes can be linked together.",
            Required = [Link("model", "MODEL"), Files("lora_name", ModelFolders.Loras), Float("strength_model", LoraStrength + "}")],
            Outputs = ["MODEL"],
            Execute = LoraNodes.LoraLoaderModelOnly,
        };
    }
}
