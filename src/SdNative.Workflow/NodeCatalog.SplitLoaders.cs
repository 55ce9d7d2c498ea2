using SdNative.Workflow.Nodes;

namespace SdNative.Workflow;

/// <summary>UNETLoader, CLIPLoader and DualCLIPLoader: components from files of their own (nodes.py values).</summary>
public static partial class NodeCatalog
{
    private static IEnumerable<NodeDefinition> SplitLoaderDefinitions()
    {
        yield return new NodeDefinition
        {
            ClassName = "UNETLoader", DisplayName = "Load Diffusion Model", Category = "advanced/loaders",
            Required = [Files("unet_name", ModelFolders.DiffusionModels), Combo("weight_dtype", SplitModelLoaders.WeightDtypes, """{"advanced": true}""")],
            Outputs = ["MODEL"],
            Execute = SplitModelLoaders.UnetLoader,
        };
        yield return new NodeDefinition
        {
            ClassName = "CLIPLoader", DisplayName = "Load CLIP", Category = "advanced/loaders",
            Required = [Files("clip_name", ModelFolders.TextEncoders), Combo("type", SplitModelLoaders.ClipTypes)],
            Optional = [Combo("device", SplitModelLoaders.ClipDevices, """{"advanced": true}""")],
            Outputs = ["CLIP"],
            Execute = SplitModelLoaders.ClipLoader,
        };
        yield return new NodeDefinition
        {
            ClassName = "DualCLIPLoader", DisplayName = "DualCLIPLoader", Category = "advanced/loaders",
            Required =
            [
                Files("clip_name1", ModelFolders.TextEncoders), Files("clip_name2", ModelFolders.TextEncoders),
                Combo("type", SplitModelLoaders.DualClipTypes),
            ],
            Optional = [Combo("device", SplitModelLoaders.ClipDevices, """{"advanced": true}""")],
            Outputs = ["CLIP"],
            Execute = SplitModelLoaders.DualClipLoader,
        };
    }
}
