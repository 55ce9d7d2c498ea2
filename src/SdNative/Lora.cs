using SdNative.Interop;
using SdNative.Interop.Handles;

namespace SdNative;

/// <summary>LoraLoader / LoraLoaderModelOnly: applies a LoRA file (kohya, diffusers/PEFT, LoCon,
/// LoHa, LoKr) to a model and/or CLIP as ComfyUI does, W += strength · (alpha/rank) · up·down.</summary>
public static class Lora
{
    /// <summary>New model and CLIP computing with the LoRA at path on top of model and clip,
    /// which stay as they are (either may be null, not both). Applying to a result stacks LoRAs
    /// in order. Only the weights the LoRA adapts are copied. With both strengths 0 the file is
    /// not read and the results compute exactly as the inputs. sidePath: on quantized bases,
    /// keep the UNet transformers' linear weights as stored and add a low-rank side path at run
    /// time instead of f16 copies (less memory, a little more compute; docs/lora.md).</summary>
    public static unsafe Task<LoraResult> ApplyAsync(
        SdnEngine engine,
        string path,
        DiffusionModel? model,
        ClipModel? clip,
        float strengthModel = 1f,
        float strengthClip = 1f,
        bool sidePath = false,
        IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        if (model is null && clip is null)
        {
            throw new ArgumentException("a LoRA needs a model, a clip or both to apply to");
        }
        return engine.RunAsync($"Applying LoRA '{path}'", (nint ctx, out LoraResult result) =>
        {
            using var modelLease = model is null ? default : model.Handle.Use();
            using var clipLease = clip is null ? default : clip.Handle.Use();
            var newModel = new SdnModelHandle();
            var newClip = new SdnClipHandle();
            sdn_lora_params_t p;
            NativeMethods.sdn_lora_params_init(&p);
            p.strength_model = strengthModel;
            p.strength_clip = strengthClip;
            p.side_path = sidePath ? 1 : 0;
            sdn_lora_report_t r;
            NativeMethods.sdn_lora_report_init(&r);
            nint m = 0, c = 0;
            var status = NativeMethods.sdn_lora_apply(ctx, path, &p,
                model is null ? 0 : modelLease.Pointer, clip is null ? 0 : clipLease.Pointer,
                model is null ? null : &m, clip is null ? null : &c, &r);
            if (m != 0) newModel.Adopt(m);
            if (c != 0) newClip.Adopt(c);
            if (status != SdnStatus.Ok)
            {
                newModel.Dispose();
                newClip.Dispose();
                result = null!;
                return status;
            }
            result = new LoraResult(
                newModel.IsInvalid ? null : new DiffusionModel(engine, newModel),
                newClip.IsInvalid ? null : new ClipModel(engine, newClip),
                new LoraReport(r.modules, r.model_weights, r.clip_weights, r.keys_not_loaded));
            return SdnStatus.Ok;
        }, progress, cancellationToken);
    }
}
