using System.Text.Json.Nodes;

namespace SdNative.Workflow;

/// <summary>
/// Before a run allocates anything (the managed latent included): the memory each
/// EmptyLatentImage the outputs need will cost through the sampler and the VAE decode of this
/// prompt, against the memory this process can still take. A size that cannot fit fails as a
/// runtime error of that node, naming the size and the memory available, instead of being
/// killed by the kernel half way. Latents whose size is only known at run time (a loaded image,
/// an upscale) are checked by the engine API itself before each sampling and decode.
/// </summary>
internal static class MemoryPreflight
{
    private static readonly HashSet<string> Samplers = ["KSampler", "KSamplerAdvanced"];

    public static void Check(JsonObject prompt, IReadOnlyList<string> outputs, Func<AvailableMemory> available)
    {
        var needed = PromptGraph.Reachable(prompt, outputs);
        bool samples = needed.Any(id => Samplers.Contains(ClassOf(prompt, id)));
        bool decodes = needed.Any(id => ClassOf(prompt, id) is "VAEDecode" or "VAEDecodeTiled");
        // The largest tile any decode uses: VAEDecode tiles by itself when the whole image would
        // not fit the engine's memory budget, so it needs at least the smallest tile; a
        // VAEDecodeTiled whose tile size comes from a link counts as untiled (null).
        VaeTiling? tiling = needed
            .Where(id => ClassOf(prompt, id) is "VAEDecode" or "VAEDecodeTiled")
            .Select(id => ClassOf(prompt, id) == "VAEDecode" ? MemoryEstimate.SmallestAutomaticDecodeTile
                : Constant(prompt, id, "tile_size") is { } t ? new VaeTiling((int)t) : null)
            .MaxBy(t => t?.TileSize ?? int.MaxValue);
        AvailableMemory? memory = null;
        foreach (var id in needed.Where(id => ClassOf(prompt, id) == "EmptyLatentImage"))
        {
            if (Constant(prompt, id, "width") is not { } width || Constant(prompt, id, "height") is not { } height
                || Constant(prompt, id, "batch_size") is not { } batch)
            {
                continue;
            }
            var estimate = MemoryEstimate.For((int)batch, (int)width, (int)height, tiling);
            long need = Math.Max(estimate.LatentBytes, Math.Max(samples ? estimate.SamplingBytes : 0, decodes ? estimate.DecodeBytes : 0));
            try
            {
                estimate.EnsureFits("EmptyLatentImage", need, memory ??= available());
            }
            catch (SdnException e)
            {
                throw new WorkflowRuntimeException(id, "EmptyLatentImage", e);
            }
        }
    }

    private static string ClassOf(JsonObject prompt, string id) => prompt[id]?["class_type"]?.GetValue<string>() ?? "";

    /// <summary>A widget value (validation has made it an int); null when it comes from a link.</summary>
    private static long? Constant(JsonObject prompt, string id, string input) =>
        prompt[id]?["inputs"]?[input] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && long.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long n) ? n : null;
}
