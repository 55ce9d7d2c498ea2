using SdNative.Cli.Tests.Fidelity;
using SdNative.Workflow.Tests;

namespace SdNative.Cli.Tests;

/// <summary>An SDXL workflow with a LoRA (CheckpointLoaderSimple → LoraLoader →
/// CLIPTextEncodeSDXL / CLIPTextEncode → KSampler → VAEDecode → SaveImage) through `sdnative
/// run`, on the tiny SDXL checkpoint and its tiny kohya LoRA (lora_unet_ on every transformer
/// block, lora_te1_ on CLIP-L, lora_te2_ on bigG): the image equals the one of the same workflow
/// without LoraLoader on a checkpoint the LoRA was merged into beforehand by
/// <see cref="IndependentLoraMerge"/>; the LoRA moves the image far; Vulkan gives the CPU's image;
/// a q8_0 GGUF base with the LoRA stays close to the f16 one.</summary>
[Collection("run command executor")]
public sealed class SdxlLoraRunTests : IDisposable
{
    private const string Checkpoint = "xl.safetensors", Merged = "xl-merged.safetensors", Lora = "xl_lora.safetensors";
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-xl-lora-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Models => Path.Combine(_dir, "models");

    private async Task WriteModels()
    {
        var shared = SharedFolder.Require();
        var tokenizers = Directory.CreateDirectory(Path.Combine(Models, "tokenizers")).FullName;
        File.Copy(Path.Combine(shared, "data", "clip", "bpe_simple_vocab_16e6.txt.gz"), Path.Combine(tokenizers, "bpe_simple_vocab_16e6.txt.gz"));
        Directory.CreateDirectory(Path.Combine(Models, "checkpoints"));
        Directory.CreateDirectory(Path.Combine(Models, "loras"));
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 2));
        await ModelFiles.MakeTestModelAsync(engine, Path.Combine(Models, "checkpoints", Checkpoint), ModelArchitecture.Sdxl, "f32", 41);
        await ModelFiles.MakeTestLoraAsync(engine, Path.Combine(Models, "loras", Lora), ModelArchitecture.Sdxl, 42);
    }

    /// <summary>txt2img at 64x64, three euler steps; the LoRA on model and CLIP at strength, or no
    /// LoraLoader at all when strength is null.</summary>
    private async Task<string> Run(string checkpoint, double? strength, string prefix, params string[] options)
    {
        string model = strength is null ? """["4", 0]""" : """["10", 0]""";
        string clip = strength is null ? """["4", 1]""" : """["10", 1]""";
        string lora = strength is null ? "" : $$$"""
            "10": {"class_type": "LoraLoader", "inputs": {"model": ["4", 0], "clip": ["4", 1], "lora_name": "{{{Lora}}}",
                   "strength_model": {{{strength}}}, "strength_clip": {{{strength}}}}},
            """;
        var workflow = Path.Combine(_dir, prefix + ".json");
        await File.WriteAllTextAsync(workflow, $$$"""
            {
              "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{checkpoint}}}"}},
              {{{lora}}}
              "6": {"class_type": "CLIPTextEncodeSDXL", "inputs": {"clip": {{{clip}}}, "width": 1024, "height": 1024, "crop_w": 0, "crop_h": 0,
                    "target_width": 1024, "target_height": 1024, "text_g": "a lighthouse at dusk", "text_l": "oil painting"}},
              "7": {"class_type": "CLIPTextEncode", "inputs": {"clip": {{{clip}}}, "text": "blurry"}},
              "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
              "3": {"class_type": "KSampler", "inputs": {"seed": 7, "steps": 3, "cfg": 5, "sampler_name": "euler", "scheduler": "normal",
                    "denoise": 1, "model": {{{model}}}, "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
              "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
              "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "{{{prefix}}}", "images": ["8", 0]}}
            }
            """);
        var (code, stdout, stderr) = await CliRun.InProcess(["run", workflow, "--base", _dir, .. options]);
        Assert.True(code == 0, stdout + stderr);
        Assert.DoesNotContain("lora key not loaded", stderr);
        return Assert.Single(Directory.GetFiles(Path.Combine(_dir, "output"), prefix + "_*.png"));
    }

    [SkippableFact]
    public async Task TheLoraGivesTheImageOfTheCheckpointItWasMergedInto()
    {
        await WriteModels();
        int modules = IndependentLoraMerge.Merge(Path.Combine(Models, "checkpoints", Checkpoint), Path.Combine(Models, "loras", Lora), 1.0,
            Path.Combine(Models, "checkpoints", Merged));
        var file = SafetensorsTensors.Read(Path.Combine(Models, "loras", Lora));
        Assert.Equal(file.Tensors.Count(t => t.Name.EndsWith(".lora_up.weight", StringComparison.Ordinal)), modules);

        // Float32 products, so that only the merge's rounding separates the two: the engine sums
        // the update in float32 and rounds once, the merge here in double. Measured 89 dB on
        // AVX-512 (51 dB with the bfloat16 default); strength 0.1 moves the image to 47 dB, so
        // 75 dB catches a strength or alpha/rank error of about half a percent.
        string withLora = await Run(Checkpoint, 1.0, "lora", "--cpu", Float32Kernels.Name());
        string merged = await Run(Merged, null, "merged", "--cpu", Float32Kernels.Name());
        double psnr = Psnr.Between(merged, withLora);
        Assert.True(psnr >= 75, $"LoRA at run time vs merged beforehand: {psnr:F2} dB");

        // Strength 0 is the base model's image; strength 1 moves it far (measured 31 dB).
        string none = await Run(Checkpoint, 0.0, "strength0", "--cpu", Float32Kernels.Name());
        string plain = await Run(Checkpoint, null, "plain", "--cpu", Float32Kernels.Name());
        Assert.True(double.IsPositiveInfinity(Psnr.Between(plain, none)), "strength 0 changed the image");
        double moved = Psnr.Between(none, withLora);
        Assert.True(moved < 35, $"the LoRA moved the image too little: {moved:F2} dB between strength 0 and 1");
    }

    [SkippableFact]
    public async Task VulkanGivesTheCpusImageWithTheLora()
    {
        await WriteModels();
        RequireVulkanDevice();
        // Both in float32 products (the CPU's bfloat16 default moves pixels far more than the
        // backends' summation orders do); the bound of the other Vulkan workflow tests.
        string cpu = await Run(Checkpoint, 1.0, "cpu", "--device", "cpu", "--cpu", Float32Kernels.Name());
        string gpu = await Run(Checkpoint, 1.0, "vulkan", "--device", "vulkan");
        double difference = MeanAbsDifference(cpu, gpu);
        Assert.True(difference < 2e-5, $"CPU and Vulkan differ by {difference} of full scale (measured 6e-7 on lavapipe)");
    }

    [SkippableFact]
    public async Task AQuantizedGgufBaseWithTheLoraStaysCloseToTheF16One()
    {
        await WriteModels();
        string source = Path.Combine(Models, "checkpoints", Checkpoint);
        foreach (var type in new[] { "f16", "q8_0" })
        {
            var (code, stdout, stderr) = await CliRun.InProcess("convert", source, Path.Combine(Models, "checkpoints", $"xl-{type}.gguf"), "--type", type);
            Assert.True(code == 0, stdout + stderr);
        }
        string f16 = await Run("xl-f16.gguf", 1.0, "f16");
        string q8 = await Run("xl-q8_0.gguf", 1.0, "q8");
        // q8_0 rounds each weight to 8 bits per 32-value block; the LoRA's copies are f16 (docs/lora.md).
        double psnr = Psnr.Between(f16, q8);
        // Measured 50.8 dB with the default kernels.
        Assert.True(psnr >= 40, $"q8_0 vs f16 base with the LoRA: {psnr:F2} dB");
        // The LoRA is applied on the quantized base too: it moves that image as far as on f16.
        double moved = Psnr.Between(await Run("xl-q8_0.gguf", 0.0, "q8-strength0"), q8);
        Assert.True(moved < 35, $"the LoRA moved the q8_0 image too little: {moved:F2} dB");
    }

    private static double MeanAbsDifference(string a, string b)
    {
        using var x = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(a);
        using var y = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(b);
        double sum = 0;
        for (int row = 0; row < x.Height; row++)
        {
            for (int col = 0; col < x.Width; col++)
            {
                var p = x[col, row];
                var q = y[col, row];
                sum += Math.Abs(p.R - q.R) + Math.Abs(p.G - q.G) + Math.Abs(p.B - q.B);
            }
        }
        return sum / (x.Width * x.Height * 3.0 * 255.0);
    }

    /// <summary>Skips without a Vulkan device, except under CI=true where lavapipe is installed.</summary>
    private static void RequireVulkanDevice()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (GpuDevice.List().Count == 0 && ci && File.Exists("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"))
        {
            throw new InvalidOperationException("CI=true and lavapipe is installed, but no Vulkan device was found");
        }
        Skip.If(GpuDevice.List().Count == 0, "no Vulkan device on this machine");
    }
}
