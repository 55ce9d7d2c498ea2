using SdNative.Workflow.Nodes;

namespace SdNative.Workflow;

/// <summary>Nodes that set options on conditioning entries: mask, zeroing, timestep range (nodes.py values).</summary>
public static partial class NodeCatalog
{
    private static IEnumerable<NodeDefinition> ConditioningOptionDefinitions()
    {
        yield return new NodeDefinition
        {
            ClassName = "ConditioningSetMask", DisplayName = "Conditioning (Set Mask)", Category = "conditioning",
            Required =
            [
                Link("conditioning", "CONDITIONING"), Link("mask", "MASK"),
                Float("strength", """{"default": 1.0, "min": 0.0, "max": 10.0, "step": 0.01}"""),
                Combo("set_cond_area", ["default", "mask bounds"]),
            ],
            Outputs = ["CONDITIONING"],
            Execute = ConditioningNodes.SetMask,
        };
        yield return new NodeDefinition
        {
            ClassName = "ConditioningZeroOut", DisplayName = "ConditioningZeroOut", Category = "advanced/conditioning",
            Required = [Link("conditioning", "CONDITIONING")],
            Outputs = ["CONDITIONING"],
            Execute = ConditioningNodes.ZeroOut,
        };
        yield return new NodeDefinition
        {
            ClassName = "ConditioningSetTimestepRange", DisplayName = "ConditioningSetTimestepRange", Category = "advanced/conditioning",
            Required =
            [
                Link("conditioning", "CONDITIONING"),
                Float("start", """{"default": 0.0, "min": 0.0, "max": 1.0, "step": 0.001}"""),
                Float("end", """{"default": 1.0, "min": 0.0, "max": 1.0, "step": 0.001}"""),
            ],
            Outputs = ["CONDITIONING"],
            Execute = ConditioningNodes.SetTimestepRange,
        };
    }
}
