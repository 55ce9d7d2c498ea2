using System.Text.Json.Nodes;

namespace SdNative.Workflow;

/// <summary>GET /object_info: every node's description in ComfyUI's shape, from the same
/// definitions validation uses.</summary>
public static class ObjectInfo
{
    public static JsonObject Build(ModelFolders folders)
    {
        var context = new ValidationContext(folders, _ => true);
        var all = new JsonObject();
        foreach (var definition in NodeCatalog.All.OrderBy(d => d.ClassName, StringComparer.Ordinal))
        {
            all[definition.ClassName] = Describe(definition, context);
        }
        return all;
    }

    public static JsonObject Describe(NodeDefinition definition, ValidationContext context)
    {
        var input = new JsonObject { ["required"] = Inputs(definition.Required, context) };
        var order = new JsonObject { ["required"] = new JsonArray(definition.Required.Select(i => (JsonNode)i.Name).ToArray()) };
        if (definition.Optional.Count > 0)
        {
            input["optional"] = Inputs(definition.Optional, context);
            order["optional"] = new JsonArray(definition.Optional.Select(i => (JsonNode)i.Name).ToArray());
        }
        if (definition.Hidden.Count > 0)
        {
            var hidden = new JsonObject();
            foreach (var (name, type) in definition.Hidden)
            {
                hidden[name] = type;
            }
            input["hidden"] = hidden;
            order["hidden"] = new JsonArray(definition.Hidden.Select(h => (JsonNode)h.Key).ToArray());
        }
        return new JsonObject
        {
            ["input"] = input,
            ["input_order"] = order,
            ["output"] = new JsonArray(definition.Outputs.Select(o => (JsonNode)o).ToArray()),
            ["output_is_list"] = new JsonArray(definition.Outputs.Select(_ => (JsonNode)false).ToArray()),
            ["output_name"] = new JsonArray((definition.OutputNames ?? definition.Outputs).Select(o => (JsonNode)o).ToArray()),
            ["name"] = definition.ClassName,
            ["display_name"] = definition.DisplayName,
            ["description"] = definition.Description,
            ["python_module"] = definition.PythonModule,
            ["category"] = definition.Category,
            ["output_node"] = definition.IsOutputNode,
        };
    }

    private static JsonObject Inputs(IReadOnlyList<InputSpec> specs, ValidationContext context)
    {
        var result = new JsonObject();
        foreach (var spec in specs)
        {
            result[spec.Name] = spec.IsCombo
                ? WorkflowValidator.InputConfig(spec, context.Choices(spec))
                : spec.Options.Count == 0 ? new JsonArray(spec.Type) : new JsonArray(spec.Type, spec.Options.DeepClone());
        }
        return result;
    }
}
