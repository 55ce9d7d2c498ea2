using SdNative.Interop;
using SdNative.Interop.Handles;

namespace SdNative;

/// <summary>
/// The components of one checkpoint file (CheckpointLoaderSimple's MODEL, CLIP and VAE).
/// Disposing the checkpoint disposes the components it still owns.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    private Checkpoint(string path, DiffusionModel? model, ClipModel? clip, VaeModel? vae)
    {
        Path = path;
        Model = model;
        Clip = clip;
        Vae = vae;
    }

    public string Path { get; }
    public DiffusionModel? Model { get; }
    public ClipModel? Clip { get; }
    public VaeModel? Vae { get; }

    /// <summary>Loads the components options asks for (all three by default) on an engine.</summary>
    public static unsafe Task<Checkpoint> LoadAsync(
        SdnEngine engine,
        string path,
        CheckpointLoadOptions? options = null,
        IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        options ??= new CheckpointLoadOptions();
        return engine.RunAsync($"Loading checkpoint '{path}'", (nint ctx, out Checkpoint result) =>
        {
            var model = new SdnModelHandle();
            var clip = new SdnClipHandle();
            var vae = new SdnVaeHandle();
            using var native = new NativeLoadOptions(options);
            var load = native.Value;
            nint m = 0, c = 0, v = 0;
            var status = NativeMethods.sdn_checkpoint_load(ctx, path, &load,
                options.LoadDiffusionModel ? &m : null,
                options.LoadClip ? &c : null,
                options.LoadVae ? &v : null);
            // Adopt whatever came back, even on failure, so nothing leaks.
            if (m != 0) model.Adopt(m);
            if (c != 0) clip.Adopt(c);
            if (v != 0) vae.Adopt(v);
            if (status != SdnStatus.Ok)
            {
                model.Dispose();
                clip.Dispose();
                vae.Dispose();
                result = null!;
                return status;
            }
            result = new Checkpoint(
                path,
                model.IsInvalid ? null : new DiffusionModel(engine, model),
                clip.IsInvalid ? null : new ClipModel(engine, clip),
                vae.IsInvalid ? null : new VaeModel(engine, vae));
            return SdnStatus.Ok;
        }, progress, cancellationToken);
    }

    public void Dispose()
    {
        Model?.Dispose();
        Clip?.Dispose();
        Vae?.Dispose();
    }
}
