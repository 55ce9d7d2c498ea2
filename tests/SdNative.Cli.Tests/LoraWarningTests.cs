using SdNative.Cli.Tests.Fidelity;

namespace SdNative.Cli.Tests;

/// <summary>`sdnative run` with LoraLoaderModelOnly prints ComfyUI's "lora key not loaded" warning
/// for each tensor of the LoRA that only a text encoder could take, and still runs.</summary>
[Collection("run command executor")]
public sealed class LoraWarningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-lora-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task ModelOnlyLoraWarnsAboutEachTextEncoderKey()
    {
        var shared = SharedFolder.Require();
        var models = Path.Combine(_dir, "models");
        var tokenizers = Directory.CreateDirectory(Path.Combine(models, "tokenizers")).FullName;
        File.Copy(Path.Combine(shared, "data", "clip", "bpe_simple_vocab_16e6.txt.gz"), Path.Combine(tokenizers, "bpe_simple_vocab_16e6.txt.gz"));
        var checkpoint = Path.Combine(Directory.CreateDirectory(Path.Combine(models, "checkpoints")).FullName, "tiny.safetensors");
        var lora = Path.Combine(Directory.CreateDirectory(Path.Combine(models, "loras")).FullName, "tiny_lora.safetensors");
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 1)))
        {
            await ModelFiles.MakeTestModelAsync(engine, checkpoint, "f16", 3);
            await ModelFiles.MakeTestLoraAsync(engine, lora, 3);
        }
        var workflow = Path.Combine(_dir, "wf.json");
        await File.WriteAllTextAsync(workflow, """
            {
              "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "tiny.safetensors"}},
              "11": {"class_type": "LoraLoaderModelOnly", "inputs": {"model": ["4", 0], "lora_name": "tiny_lora.safetensors", "strength_model": 0.5}},
              "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
              "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
              "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 1, "cfg": 7, "sampler_name": "euler", "scheduler": "normal",
                    "denoise": 1, "model": ["11", 0], "positive": ["6", 0], "negative": ["6", 0], "latent_image": ["5", 0]}},
              "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
              "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x", "images": ["8", 0]}}
            }
            """);
        var (code, stdout, stderr) = await CliRun.InProcess("run", workflow, "--base", _dir);
        Assert.True(code == 0, stdout + stderr);
        // The tiny LoRA's 2 CLIP layers x 6 modules x (up, down, alpha).
        Assert.Equal(36, stderr.Split('\n').Count(line => line.Contains("lora key not loaded: lora_te_text_model_encoder_layers_")));
        Assert.Contains("lora key not loaded: lora_te_text_model_encoder_layers_1_mlp_fc2.alpha", stderr);
    }
}
