using System.Text.Json.Nodes;

namespace SdNative.Workflow.Nodes;

/// <summary>SDXL's text encoders with size conditioning (comfy_extras/nodes_clip_sdxl.py) and
/// ModelSamplingDiscrete's prediction override (comfy_extras/nodes_model_advanced.py).</summary>
internal static class SdxlNodes
{
    /// <summary>ModelSamplingDiscrete's sampling choices, in ComfyUI's order.</summary>
    public static readonly IReadOnlyList<string> SamplingTypes = ["eps", "v_prediction", "lcm", "x0"];

    private static ClipRef Clip(NodeExecution e) => e.Optional<ClipRef>("clip")
        ?? throw new InvalidOperationException("ERROR: clip input is invalid: None\n\nIf the clip is from a checkpoint loader node your checkpoint does not contain a valid clip or text encoder model.");

    /// <summary>text_l through CLIP-L, text_g through bigG, then every entry carries the
    /// pooled output and the size, crop and target inputs.</summary>
    public static async Task<object?[]> ClipTextEncodeSdxl(NodeExecution e)
    {
        var clip = Clip(e);
        var cond = await clip.Model.EncodeSdxlAsync(e.Str("text_l"), e.Str("text_g"), clip.StopAtLayer, e.Services.Progress, e.Services.Token).ConfigureAwait(false);
        var size = new SdxlSize((int)e.Int("width"), (int)e.Int("height"), (int)e.Int("crop_w"), (int)e.Int("crop_h"),
            (int)e.Int("target_width"), (int)e.Int("target_height"));
        return [cond.Select(entry => entry with { Size = size })];
    }

    /// <summary>The refiner's encode: its one encoder, the size and the aesthetic score.</summary>
    public static async Task<object?[]> ClipTextEncodeSdxlRefiner(NodeExecution e)
    {
        var clip = Clip(e);
        var cond = await clip.Model.EncodeAsync(e.Str("text"), clip.StopAtLayer, e.Services.Progress, e.Services.Token).ConfigureAwait(false);
        int width = (int)e.Int("width"), height = (int)e.Int("height");
        var size = new SdxlSize(width, height, 0, 0, width, height);
        float ascore = (float)e.Float("ascore");
        return [cond.Select(entry => entry with { Size = size, AestheticScore = ascore })];
    }

    /// <summary>The same weights sampled as eps or v_prediction. lcm, x0 and zero-terminal-SNR
    /// schedules are refused by name: this engine does not implement them.</summary>
    public static Task<object?[]> ModelSamplingDiscrete(NodeExecution e)
    {
        var model = e.Optional<DiffusionModel>("model")
            ?? throw new InvalidOperationException("the model input is empty (the checkpoint has no diffusion model)");
        string sampling = e.Str("sampling");
        var prediction = sampling switch
        {
            "eps" => ModelPrediction.Eps,
            "v_prediction" => ModelPrediction.V,
            _ => throw new NotSupportedException($"ModelSamplingDiscrete: sampling '{sampling}' is not supported (eps and v_prediction are)"),
        };
        if (e.Inputs.TryGetValue("zsnr", out var z) && z is JsonNode node && PyValues.ToBool(node).GetValue<bool>())
        {
            throw new NotSupportedException("ModelSamplingDiscrete: zsnr (zero terminal SNR rescaling) is not supported");
        }
        var view = model.WithPrediction(prediction);
        e.Own(view);
        return LatentNodes.Done(view);
    }
}
