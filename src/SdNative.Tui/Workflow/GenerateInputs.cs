using System.Text.Json.Nodes;

namespace SdNative.Tui.Workflow;

/// <summary>Where, in a loaded workflow, the inputs a person edits on the generate screen live:
/// the source image, the prompts the sampler's positive and negative inputs come from, the
/// checkpoint, the sampler's settings and a scale node's size. Any of them may be absent.</summary>
public sealed class GenerateInputs
{
    private static readonly string[] SamplerClasses = ["KSampler", "KSamplerAdvanced"];
    private static readonly string[] SizeClasses = ["ImageScale", "EmptyLatentImage", "LatentUpscale", "ImageScaleBy"];

    private GenerateInputs(JsonObject prompt) => Prompt = prompt;

    public JsonObject Prompt { get; }
    public string? ImageNode { get; private init; }
    public string? CheckpointNode { get; private init; }
    public string? SamplerNode { get; private init; }
    public string? PositiveNode { get; private init; }
    public string? NegativeNode { get; private init; }
    public string? SizeNode { get; private init; }

    /// <summary>KSampler names it seed, KSamplerAdvanced noise_seed.</summary>
    public string SeedInput => SamplerNode is not null && Prompt[SamplerNode]?["inputs"]?["noise_seed"] is not null ? "noise_seed" : "seed";

    public static GenerateInputs Find(JsonObject prompt)
    {
        string? First(params string[] classes) =>
            prompt.Where(n => classes.Contains(ClassOf(n.Value))).Select(n => n.Key).FirstOrDefault();
        string? sampler = First(SamplerClasses);
        string? size = prompt.Where(n => SizeClasses.Contains(ClassOf(n.Value)) && n.Value?["inputs"]?["width"] is JsonValue)
            .Select(n => n.Key).FirstOrDefault();
        return new GenerateInputs(prompt)
        {
            ImageNode = First("LoadImage"),
            CheckpointNode = First("CheckpointLoaderSimple"),
            SamplerNode = sampler,
            PositiveNode = TextSource(prompt, sampler, "positive"),
            NegativeNode = TextSource(prompt, sampler, "negative"),
            SizeNode = size,
        };
    }

    public string ClassOf(string node) => ClassOf(Prompt[node]) ?? "";

    /// <summary>A literal input's value as text (links and missing inputs give null).</summary>
    public string? Get(string? node, string input)
    {
        if (node is null || Prompt[node]?["inputs"]?[input] is not JsonValue value)
        {
            return null;
        }
        return value.TryGetValue(out string? s) ? s : value.ToJsonString();
    }

    public void Set(string node, string input, JsonNode? value)
    {
        var inputs = Prompt[node]!["inputs"] as JsonObject ?? throw new InvalidOperationException($"node {node} has no inputs");
        inputs[input] = value;
    }

    private static string? ClassOf(JsonNode? node) => node?["class_type"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>The node with a "text" input that feeds the sampler's conditioning input, following
    /// conditioning nodes (ConditioningCombine, ControlNet...) back through their first link.</summary>
    private static string? TextSource(JsonObject prompt, string? sampler, string input)
    {
        var seen = new HashSet<string>();
        JsonNode? link = sampler is null ? null : prompt[sampler]?["inputs"]?[input];
        while (link is JsonArray { Count: 2 } pair && pair[0]?.ToString() is string id && seen.Add(id))
        {
            var inputs = prompt[id]?["inputs"] as JsonObject;
            if (inputs is null)
            {
                return null;
            }
            if (inputs["text"] is JsonValue)
            {
                return id;
            }
            link = inputs.Select(i => i.Value).FirstOrDefault(v => v is JsonArray { Count: 2 });
        }
        return null;
    }
}
