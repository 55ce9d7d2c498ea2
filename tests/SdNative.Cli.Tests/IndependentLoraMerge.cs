using SdNative.Workflow.Tests;

namespace SdNative.Cli.Tests;

/// <summary>Merges the tiny SDXL test LoRA into the tiny SDXL checkpoint with plain arithmetic,
/// W + strength·(alpha/rank)·up@down, written here from the model's structure and the kohya
/// naming rules, without the engine's LoRA key mapping or patch code, so that a checkpoint
/// merged beforehand can be compared with the engine applying the LoRA at run time.</summary>
internal static class IndependentLoraMerge
{
    private static readonly string[] BlockParts =
        ["attn1.to_q", "attn1.to_k", "attn1.to_v", "attn1.to_out.0", "attn2.to_q", "attn2.to_k", "attn2.to_v", "attn2.to_out.0", "ff.net.0.proj", "ff.net.2"];

    private static readonly string[] ClipParts = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "mlp.fc1", "mlp.fc2"];

    /// <summary>Every module of the tiny SDXL model a kohya LoRA addresses: its stem, the
    /// checkpoint tensor and which of `parts` equal row blocks it adapts. The tiny SDXL UNet has
    /// two levels (one resnet each), attention only at the second with two transformer blocks, a
    /// middle block with two, and two output blocks per level; its CLIP-L and bigG two layers each.</summary>
    public static IEnumerable<(string Stem, string Target, int Part, int Parts)> TinySdxlModules()
    {
        const string unet = "model.diffusion_model.";
        // diffusers attention -> LDM block: input_blocks.1 is level 0's resnet, 2 its
        // downsampler, 3 level 1's resnet; output_blocks.0 and 1 are the deepest level's.
        (string Diffusers, string Ldm)[] attentions =
        [
            ("down_blocks.1.attentions.0", "input_blocks.3.1"), ("mid_block.attentions.0", "middle_block.1"),
            ("up_blocks.0.attentions.0", "output_blocks.0.1"), ("up_blocks.0.attentions.1", "output_blocks.1.1"),
        ];
        foreach (var (diffusers, ldm) in attentions)
        {
            var parts = new[] { "proj_in", "proj_out" }.Concat(
                Enumerable.Range(0, 2).SelectMany(d => BlockParts.Select(p => $"transformer_blocks.{d}.{p}")));
            foreach (var part in parts)
            {
                yield return (Kohya("lora_unet_", $"{diffusers}.{part}"), $"{unet}{ldm}.{part}.weight", 0, 1);
            }
        }
        // bigG keeps OpenCLIP names: q, k, v are the thirds of in_proj.
        string[] openClip = ["attn.in_proj_weight", "attn.in_proj_weight", "attn.in_proj_weight", "attn.out_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"];
        for (int layer = 0; layer < 2; layer++)
        {
            for (int k = 0; k < ClipParts.Length; k++)
            {
                string hf = $"text_model.encoder.layers.{layer}.{ClipParts[k]}";
                yield return (Kohya("lora_te1_", hf), $"conditioner.embedders.0.transformer.{hf}.weight", 0, 1);
                yield return (Kohya("lora_te2_", hf), $"conditioner.embedders.1.model.transformer.resblocks.{layer}.{openClip[k]}", k < 3 ? k : 0, k < 3 ? 3 : 1);
            }
        }
    }

    private static string Kohya(string prefix, string name) => prefix + name.Replace('.', '_');

    /// <summary>Writes checkpoint (F32) with the LoRA merged at strength into output; returns how
    /// many modules were merged, which must be all the LoRA holds.</summary>
    public static int Merge(string checkpoint, string lora, double strength, string output)
    {
        var model = SafetensorsTensors.Read(checkpoint);
        var adapter = SafetensorsTensors.Read(lora);
        int merged = 0;
        foreach (var (stem, target, part, parts) in TinySdxlModules())
        {
            var upEntry = adapter[stem + ".lora_up.weight"];
            var downEntry = adapter[stem + ".lora_down.weight"];
            float[] up = upEntry.Floats(), down = downEntry.Floats();
            int rank = (int)downEntry.Shape[0], inputs = (int)downEntry.Shape[1], rows = (int)upEntry.Shape[0];
            double alpha = adapter.Contains(stem + ".alpha") ? adapter[stem + ".alpha"].Floats()[0] : rank;
            double scale = strength * alpha / rank;
            var weight = model[target];
            float[] w = weight.Floats();
            Assert.Equal(weight.Shape[0], (long)rows * parts);
            Assert.Equal(weight.Shape[1], inputs);
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < inputs; j++)
                {
                    double delta = 0;
                    for (int r = 0; r < rank; r++)
                    {
                        delta += (double)up[i * rank + r] * down[r * inputs + j];
                    }
                    int at = (part * rows + i) * inputs + j;
                    w[at] = (float)(w[at] + scale * delta);
                }
            }
            model.Replace(target, SafetensorsTensors.Entry.F32(weight.Shape, w));
            merged++;
        }
        model.Write(output);
        return merged;
    }
}
