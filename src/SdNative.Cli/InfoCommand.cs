using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SdNative.Cli;

/// <summary>`sdnative info MODEL`: the model file's description (architecture, components, tensor types).</summary>
public static class InfoCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("model") { Description = "A .safetensors or .gguf checkpoint (or VAE) file." };
        var json = new Option<bool>("--json") { Description = "Print the raw JSON description." };
        var command = new Command("info", "Describe a model file: architecture, components, tensor types and sizes, missing tensors.") { model, json };
        command.SetAction((parse, token) => CliApp.Guard(console, async () =>
        {
            string path = parse.GetValue(model)!;
            if (!File.Exists(path))
            {
                throw new UserError($"model file not found: {path}");
            }
            using var engine = new SdnEngine();
            string text = await ModelFiles.InfoJsonAsync(engine, Path.GetFullPath(path), token);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(text);
                return ExitCodes.Success;
            }
            var node = JsonNode.Parse(text);
            console.Out.WriteLine(path);
            Print(console.Out, node, "  ");
            return ExitCodes.Success;
        }, token));
        return command;
    }

    /// <summary>Indented "key: value" lines; long arrays of objects are summarized by count.</summary>
    private static void Print(TextWriter o, JsonNode? node, string indent)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                if (value is JsonObject or JsonArray { Count: > 0 } && !(value is JsonArray a && a.All(v => v is JsonValue)))
                {
                    if (value is JsonArray big && big.Count > 20)
                    {
                        o.WriteLine($"{indent}{key}: {big.Count} entries (use --json for all)");
                        continue;
                    }
                    o.WriteLine($"{indent}{key}:");
                    Print(o, value, indent + "  ");
                }
                else
                {
                    o.WriteLine($"{indent}{key}: {Scalar(value)}");
                }
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is JsonObject)
                {
                    o.WriteLine($"{indent}-");
                    Print(o, item, indent + "  ");
                }
                else
                {
                    o.WriteLine($"{indent}- {Scalar(item)}");
                }
            }
        }
        else
        {
            o.WriteLine($"{indent}{Scalar(node)}");
        }
    }

    private static string Scalar(JsonNode? value) => value switch
    {
        null => "null",
        JsonArray a => string.Join(", ", a.Select(Scalar)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };
}
