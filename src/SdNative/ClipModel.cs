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

    /// <summary>Loads text-encoder files as ComfyUI's CLIPLoader (one path) and DualCLIPLoader
    /// (two) do. Each file holds one encoder in transformers or OpenCLIP names, bare or under a
    /// checkpoint prefix. type "stable_diffusion": one file (CLIP-L for SD1.x, OpenCLIP ViT-H for
    /// SD2.x, bigG for the SDXL refiner); "sdxl": a CLIP-L and a bigG file in either order.
    /// Other types and files that do not fit are refused with an <see cref="SdnException"/>
    /// naming them. Only TokenizerPath and ModelsDir of options are used.</summary>
    public static unsafe Task<ClipModel> LoadFilesAsync(
        SdnEngine engine,
        IReadOnlyList<string> paths,
        string type,
        CheckpointLoadOptions? options = null,
        IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(type);
        if (paths.Count is < 1 or > 2)
        {
            throw new ArgumentException($"one or two text-encoder files, got {paths.Count}", nameof(paths));
        }
        options ??= new CheckpointLoadOptions();
        string path1 = paths[0];
        string? path2 = paths.Count == 2 ? paths[1] : null;
        return engine.RunAsync($"Loading text encoder '{string.Join("', '", paths)}'", (nint ctx, out ClipModel result) =>
        {
            var handle = new SdnClipHandle();
            using var native = new NativeLoadOptions(options);
            var load = native.Value;
            nint c = 0;
            var status = NativeMethods.sdn_clip_load(ctx, path1, path2!, type, &load, &c);
            if (c != 0) handle.Adopt(c);
            result = status == SdnStatus.Ok ? new ClipModel(engine, handle) : null!;
            if (status != SdnStatus.Ok) handle.Dispose();
            return status;
        }, progress, cancellationToken);
    }

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
