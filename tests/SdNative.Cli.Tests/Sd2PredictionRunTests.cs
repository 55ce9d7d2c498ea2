using SdNative.Cli.Tests.Fidelity;
using SdNative.Imaging;
using SdNative.Workflow.Tests;

namespace SdNative.Cli.Tests;

/// <summary>SD2.x through `sdnative run` as eps and as v-prediction: a tiny SD2 checkpoint from
/// `sdnative make-test-model --arch sd2` (eps), the same weights with ComfyUI's v_pred key (v)
/// and with ModelSamplingDiscrete's v_prediction override. One euler step from the full noise
/// level ends on the model's denoised estimate, so the two prediction types must relate as
/// derived here from ComfyUI's formulas (model_sampling.EPS / V_PREDICTION, sigma_data 1):
/// eps: D_eps = x - s·F, v: D_v = x/(s²+1) - s·F/sqrt(s²+1), for the same UNet output F at
/// input x/sqrt(s²+1). So D_v = x/(s²+1) - (x - D_eps)/sqrt(s²+1), where x = noise·sqrt(1+s²) is
/// ComfyUI's first latent at full denoise and s the schedule's largest sigma.</summary>
[Collection("run command executor")]
public sealed class Sd2PredictionRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-sd2-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Checkpoints => Path.Combine(_dir, "models", "checkpoints");

    private async Task<string> Run(string checkpoint, string? sampling, string prefix)
    {
        string model = sampling is null ? """["4", 0]""" : """["10", 0]""";
        string discrete = sampling is null ? "" : $$$"""
            "10": {"class_type": "ModelSamplingDiscrete", "inputs": {"model": ["4", 0], "sampling": "{{{sampling}}}", "zsnr": false}},
            """;
        var workflow = Path.Combine(_dir, prefix + ".json");
        await File.WriteAllTextAsync(workflow, $$$"""
            {
              "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{checkpoint}}}"}},
              {{{discrete}}}
              "6": {"class_type": "CLIPTextEncode", "inputs": {"clip": ["4", 1], "text": "a lighthouse at dusk"}},
              "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
              "3": {"class_type": "KSampler", "inputs": {"seed": 11, "steps": 1, "cfg": 1, "sampler_name": "euler", "scheduler": "normal",
                    "denoise": 1, "model": {{{model}}}, "positive": ["6", 0], "negative": ["6", 0], "latent_image": ["5", 0]}},
              "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
              "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "{{{prefix}}}", "images": ["8", 0]}}
            }
            """);
        var (code, stdout, stderr) = await CliRun.InProcess("run", workflow, "--base", _dir, "--cpu", Float32Kernels.Name());
        Assert.True(code == 0, stdout + stderr);
        return Assert.Single(Directory.GetFiles(Path.Combine(_dir, "output"), prefix + "_*.png"));
    }

    /// <summary>The largest sigma of SD's discrete schedule (scaled-linear betas 0.00085..0.012
    /// over 1000 steps): sqrt((1 - alphas_cumprod[999]) / alphas_cumprod[999]).</summary>
    private static double SigmaMax()
    {
        double cumprod = 1;
        for (int i = 0; i < 1000; i++)
        {
            double root = Math.Sqrt(0.00085) + (Math.Sqrt(0.012) - Math.Sqrt(0.00085)) * i / 999.0;
            cumprod *= 1 - root * root;
        }
        return Math.Sqrt((1 - cumprod) / cumprod);
    }

    [SkippableFact]
    public async Task EpsAndVPredictionRunAndRelateAsDerived()
    {
        string vocabulary = Path.Combine(SharedFolder.Require(), "data", "clip", "bpe_simple_vocab_16e6.txt.gz");
        var tokenizers = Directory.CreateDirectory(Path.Combine(_dir, "models", "tokenizers")).FullName;
        File.Copy(vocabulary, Path.Combine(tokenizers, "bpe_simple_vocab_16e6.txt.gz"));
        string eps = Path.Combine(Checkpoints, "sd2.safetensors"), v = Path.Combine(Checkpoints, "sd2-v.safetensors");
        var (code, stdout, stderr) = await CliRun.InProcess("make-test-model", "--arch", "sd2", "--type", "f32", "--seed", "12", "--out", eps);
        Assert.True(code == 0, stdout + stderr);
        // ComfyUI's marker for v-prediction files: a tensor named v_pred (its value is unused).
        var tensors = SafetensorsTensors.Read(eps);
        tensors.Tensors.Add(("v_pred", SafetensorsTensors.Entry.F32([1], [1f])));
        tensors.Write(v);

        string epsImage = await Run("sd2.safetensors", null, "eps");
        string vImage = await Run("sd2-v.safetensors", null, "v");
        // The override makes the eps file's weights a v model: the same image as the v_pred file.
        Assert.True(double.IsPositiveInfinity(Psnr.Between(vImage, await Run("sd2.safetensors", "v_prediction", "override"))));
        double apart = Psnr.Between(epsImage, vImage);
        // Measured 12.5 dB.
        Assert.True(apart < 20, $"eps and v images of the same weights are {apart:F2} dB apart");

        // The latents of the same one-step runs through the embedding API, and the v latent
        // predicted from the eps one.
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 2, CpuVariant: Float32Kernels.Variant()));
        var options = new CheckpointLoadOptions(TokenizerPath: vocabulary);
        using var epsModel = await Checkpoint.LoadAsync(engine, eps, options);
        using var vModel = await Checkpoint.LoadAsync(engine, v, options);
        Assert.Equal(ModelPrediction.V, vModel.Model!.Prediction);
        Assert.Equal(ModelPrediction.Eps, epsModel.Model!.Prediction);
        var cond = await epsModel.Clip!.EncodeAsync("a lighthouse at dusk");
        var settings = new SamplerSettings("euler", "normal", Steps: 1, Cfg: 1f, Denoise: 1f, Seed: 11);
        var dEps = (await epsModel.Model.SampleAsync(settings, cond, cond, Latent.Empty(64, 64))).Samples.Data;
        var vLatent = await vModel.Model.SampleAsync(settings, cond, cond, Latent.Empty(64, 64));
        var noise = (await engine.NoiseAsync(11, [1, 4, 8, 8])).Data;
        // Sampling hands latents back in raw VAE space: the model's space divided by SD's
        // latent scale 0.18215 (process_latent_out).
        const double latentScale = 0.18215;
        double s = SigmaMax();
        var predicted = new float[noise.Length];
        double worst = 0, scale = 0;
        for (int i = 0; i < noise.Length; i++)
        {
            double x = noise[i] * Math.Sqrt(1 + s * s);
            double vDenoised = x / (s * s + 1) - (x - dEps[i] * latentScale) / Math.Sqrt(s * s + 1);
            predicted[i] = (float)(vDenoised / latentScale);
            worst = Math.Max(worst, Math.Abs(predicted[i] - vLatent.Samples.Data[i]));
            scale = Math.Max(scale, Math.Abs(dEps[i]));
        }
        // float32 rounding of D_eps (up to 250 here, the v latent about 1) bounds the agreement:
        // measured 5e-8 of the eps latent's largest value; mixing up eps and v is off by ~1.
        Assert.True(worst <= 1e-6 * scale, $"v latent differs from the one derived from eps by {worst} (eps latent scale {scale})");

        // And the CLI's v image is that latent decoded.
        var decoded = await vModel.Vae!.DecodeAsync(new Latent(new Tensor4([1, 4, 8, 8], predicted)));
        string derivedPng = ImageSaver.Save(decoded, Path.Combine(_dir, "derived"), "derived")[0].FullPath;
        double psnr = Psnr.Between(vImage, derivedPng);
        // Measured 89 dB (float32 kernels, PNG rounding).
        Assert.True(psnr >= 60, $"the CLI's v image vs the derived latent decoded: {psnr:F2} dB");
    }
}
