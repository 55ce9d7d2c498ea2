namespace SdNative.Workflow.Nodes;

/// <summary>Nodes that call the engine: loaders, text encoding, VAE, sampling.</summary>
internal static class ModelNodes
{
    public static async Task<object?[]> CheckpointLoaderSimple(NodeExecution e)
    {
        var s = e.Services;
        string name = e.Str("ckpt_name");
        string path = s.Folders.Resolve(ModelFolders.Checkpoints, name)
            ?? throw new FileNotFoundException($"checkpoint '{name}' is not in {s.Folders.FolderPath(ModelFolders.Checkpoints)}");
        var checkpoint = await Checkpoint.LoadAsync(s.Engine, path,
            new CheckpointLoadOptions(TokenizerPath: s.Options.TokenizerPath, ModelsDir: s.Folders.ModelsDir), s.Progress, s.Token).ConfigureAwait(false);
        e.Own(checkpoint);
        return [checkpoint.Model, checkpoint.Clip is null ? null : new ClipRef(checkpoint.Clip), checkpoint.Vae];
    }

    public static async Task<object?[]> VaeLoader(NodeExecution e)
    {
        var s = e.Services;
        string name = e.Str("vae_name");
        // "taesd" / "taesdxl" name TAESD's encoder and decoder in models/vae_approx, before any file.
        if (ModelFolders.TaesdVaes.FirstOrDefault(t => t.Name == name) is { Name: not null } taesd)
        {
            string encoder = s.Folders.TaesdFile(name, "encoder") ?? throw new FileNotFoundException($"VAE '{name}' needs {name}_encoder.* in {s.Folders.FolderPath(ModelFolders.VaeApprox)}");
            string decoder = s.Folders.TaesdFile(name, "decoder") ?? throw new FileNotFoundException($"VAE '{name}' needs {name}_decoder.* in {s.Folders.FolderPath(ModelFolders.VaeApprox)}");
            var approx = await VaeModel.LoadTaesdAsync(s.Engine, encoder, decoder, taesd.LatentScale, s.Token).ConfigureAwait(false);
            e.Own(approx);
            return [approx];
        }
        string path = s.Folders.Resolve(ModelFolders.Vae, name)
            ?? throw new FileNotFoundException($"VAE '{name}' is not in {s.Folders.FolderPath(ModelFolders.Vae)}");
        var vae = await VaeModel.LoadAsync(s.Engine, path, s.Progress, s.Token).ConfigureAwait(false);
        e.Own(vae);
        return [vae];
    }

    public static async Task<object?[]> ClipTextEncode(NodeExecution e)
    {
        var clip = e.Optional<ClipRef>("clip")
            ?? throw new InvalidOperationException("ERROR: clip input is invalid: None\n\nIf the clip is from a checkpoint loader node your checkpoint does not contain a valid clip or text encoder model.");
        var cond = await clip.Model.EncodeAsync(e.Str("text"), clip.StopAtLayer, e.Services.Progress, e.Services.Token).ConfigureAwait(false);
        return [cond];
    }

    private static VaeModel Vae(NodeExecution e) => e.Optional<VaeModel>("vae")
        ?? throw new InvalidOperationException("ERROR: VAE is invalid: None\n\nIf the VAE is from a checkpoint loader node your checkpoint does not contain a valid VAE.");

    public static async Task<object?[]> VaeDecode(NodeExecution e) =>
        [await Vae(e).DecodeAsync(e.Get<Latent>("samples"), null, e.Services.Progress, e.Services.Token).ConfigureAwait(false)];

    public static async Task<object?[]> VaeDecodeTiled(NodeExecution e)
    {
        var tiling = new VaeTiling((int)e.Int("tile_size"), (int)e.Int("overlap"));
        return [await Vae(e).DecodeAsync(e.Get<Latent>("samples"), tiling, e.Services.Progress, e.Services.Token).ConfigureAwait(false)];
    }

    public static async Task<object?[]> VaeEncode(NodeExecution e) =>
        [await Vae(e).EncodeAsync(e.Get<ImageBatch>("pixels"), null, e.Services.Progress, e.Services.Token).ConfigureAwait(false)];

    public static async Task<object?[]> VaeEncodeTiled(NodeExecution e)
    {
        var tiling = new VaeTiling((int)e.Int("tile_size"), (int)e.Int("overlap"));
        return [await Vae(e).EncodeAsync(e.Get<ImageBatch>("pixels"), tiling, e.Services.Progress, e.Services.Token).ConfigureAwait(false)];
    }

    public static async Task<object?[]> VaeEncodeForInpaint(NodeExecution e)
    {
        var (pixels, noiseMask) = InpaintEncoding.Prepare(e.Get<ImageBatch>("pixels"), e.Get<MaskBatch>("mask"), (int)e.Int("grow_mask_by"));
        var latent = await Vae(e).EncodeAsync(pixels, null, e.Services.Progress, e.Services.Token).ConfigureAwait(false);
        return [latent.WithNoiseMask(noiseMask)];
    }

    private static DiffusionModel Model(NodeExecution e) => e.Optional<DiffusionModel>("model")
        ?? throw new InvalidOperationException("the model input is empty (the checkpoint has no diffusion model)");

    /// <summary>sampler_name/scheduler, with a pasted alias (e.g. "dpm++ 2m karras") resolved:
    /// the scheduler an alias names wins over the scheduler input.</summary>
    private static (string Sampler, string Scheduler) SamplerNames(NodeExecution e)
    {
        var choice = e.Services.SamplerChoice(e.NodeId);
        return (choice?.Sampler ?? e.Str("sampler_name"), choice?.Scheduler ?? e.Str("scheduler"));
    }

    public static async Task<object?[]> KSampler(NodeExecution e)
    {
        var (sampler, scheduler) = SamplerNames(e);
        var settings = new SamplerSettings(
            Sampler: sampler,
            Scheduler: scheduler,
            Steps: (int)e.Int("steps"),
            Cfg: (float)e.Float("cfg"),
            Denoise: (float)e.Float("denoise"),
            Seed: e.UInt64("seed"),
            PreviewEvery: e.Services.Options.PreviewEvery,
            PreviewDecoder: await SamplerPreviews.DecoderAsync(e, Model(e)).ConfigureAwait(false));
        var result = await Model(e).SampleAsync(settings, e.Get<Conditioning>("positive"), e.Get<Conditioning>("negative"),
            e.Get<Latent>("latent_image"), e.Services.Progress, e.Services.Token).ConfigureAwait(false);
        return [result];
    }

    public static async Task<object?[]> KSamplerAdvanced(NodeExecution e)
    {
        var (sampler, scheduler) = SamplerNames(e);
        var settings = new SamplerSettings(
            Sampler: sampler,
            Scheduler: scheduler,
            Steps: (int)e.Int("steps"),
            Cfg: (float)e.Float("cfg"),
            Denoise: 1f,
            Seed: e.UInt64("noise_seed"),
            AddNoise: e.Str("add_noise") == "enable",
            StartStep: (int)e.Int("start_at_step"),
            EndStep: (int)e.Int("end_at_step"),
            ForceFullDenoise: e.Str("return_with_leftover_noise") == "disable",
            PreviewEvery: e.Services.Options.PreviewEvery,
            PreviewDecoder: await SamplerPreviews.DecoderAsync(e, Model(e)).ConfigureAwait(false));
        var result = await Model(e).SampleAsync(settings, e.Get<Conditioning>("positive"), e.Get<Conditioning>("negative"),
            e.Get<Latent>("latent_image"), e.Services.Progress, e.Services.Token).ConfigureAwait(false);
        return [result];
    }
}
