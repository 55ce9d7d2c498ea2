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
    /// before, ...): one conditioning entry with tokens [1, 77k, width] and the pooled output.</summary>
    public unsafe Task<Conditioning> EncodeAsync(
        string text,
        int clipSkip = -1,
        IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Engine.RunAsync("Text encoding", (nint ctx, out Conditioning result) =>
        {
            using var clip = _handle.Use();
            nint cond = 0, pooled = 0;
            var status = NativeMethods.sdn_clip_encode(ctx, clip.Pointer, text, clipSkip, &cond, &pooled);
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
