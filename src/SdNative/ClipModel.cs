using SdNative.Interop;
using SdNative.Interop.Handles;

namespace SdNative;

/// <summary>The text encoder and its tokenizer (ComfyUI's CLIP), bound to the engine that loaded it.</summary>
public sealed class ClipModel : IDisposable
{
    private readonly SdnClipHandle _handle;

    internal ClipModel(SdnEngine engine, SdnClipHandle handle)
    {
        Engine = engine;
        _handle = handle;
    }

    public SdnEngine Engine { get; }

    internal SdnClipHandle Handle => _handle;

    /// <summary>CLIPTextEncode (with CLIPSetLastLayer's clipSkip: -1 = last layer, -2 = the one
    /// before, ...; 0 = the model's default, the last layer for SD1.x and the penultimate for
    /// SD2.x and SDXL): one conditioning entry with tokens [1, 77k, width] and the pooled output.
    /// SDXL's two encoders both encode the text.</summary>
    public unsafe Task<Conditioning> EncodeAsync(
        string text,
        int clipSkip = 0,
        IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encode((ctx, clip, cond, pooled) => NativeMethods.sdn_clip_encode(ctx, clip, text, clipSkip, cond, pooled), progress, cancellationToken);
    }

    /// <summary>CLIPTextEncodeSDXL's text encoding: textL through CLIP-L, textG through bigG
    /// (the shorter token list padded with empty chunks). The size conditioning is added by
    /// the caller (<see cref="ConditioningEntry.Size"/>).</summary>
    public unsafe Task<Conditioning> EncodeSdxlAsync(
        string textL,
        string textG,
        int clipSkip = 0,
        IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(textL);
        ArgumentNullException.ThrowIfNull(textG);
        return Encode((ctx, clip, cond, pooled) => NativeMethods.sdn_clip_encode_sdxl(ctx, clip, textL, textG, clipSkip, cond, pooled), progress, cancellationToken);
    }

    private unsafe delegate SdnStatus EncodeCall(nint ctx, nint clip, nint* cond, nint* pooled);

    private unsafe Task<Conditioning> Encode(EncodeCall call, IProgress<GenerationProgress>? progress, CancellationToken cancellationToken)
    {
        return Engine.RunAsync("Text encoding", (nint ctx, out Conditioning result) =>
        {
            using var clip = _handle.Use();
            nint cond = 0, pooled = 0;
            var status = call(ctx, clip.Pointer, &cond, &pooled);
            Tensor4? tokens = cond == 0 ? null : NativeTensor.TakeOwnership(cond);
            Tensor4? pooledTensor = pooled == 0 ? null : NativeTensor.TakeOwnership(pooled);
            result = status == SdnStatus.Ok && tokens is not null
                ? new Conditioning(new ConditioningEntry(tokens, pooledTensor))
                : null!;
            return status == SdnStatus.Ok && tokens is null ? SdnStatus.ErrInternal : status;
        }, progress, cancellationToken);
    }

    /// <summary>Token ids and weights [chunks, 77] as CLIPTextEncode chunks the text.</summary>
    public unsafe Task<(Tensor4 Ids, Tensor4 Weights)> TokenizeAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Engine.RunAsync("Tokenizing", (nint ctx, out (Tensor4, Tensor4) result) =>
        {
            using var clip = _handle.Use();
            nint ids = 0, weights = 0;
            var status = NativeMethods.sdn_clip_tokenize(ctx, clip.Pointer, text, &ids, &weights);
            Tensor4? i = ids == 0 ? null : NativeTensor.TakeOwnership(ids);
            Tensor4? w = weights == 0 ? null : NativeTensor.TakeOwnership(weights);
            result = status == SdnStatus.Ok ? (i!, w!) : default;
            return status;
        }, null, cancellationToken);
    }

    public void Dispose() => _handle.Dispose();
}
