namespace SdNative.Cli.Tests;

/// <summary>`sdnative run` prints the validation warning for a sampler whose noise cannot match the
/// ComfyUI run a workflow came from, before it starts (here on a checkpoint that then fails to load).</summary>
[Collection("run command executor")]
public sealed class SamplerWarningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-sampler-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Code, string Err)> RunWithSampler(string sampler)
    {
        var checkpoints = Directory.CreateDirectory(Path.Combine(_dir, "models", "checkpoints")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(checkpoints, "broken.safetensors"), new byte[256]);
        var workflow = Path.Combine(_dir, "wf.json");
        await File.WriteAllTextAsync(workflow, $$$"""
            {
              "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "broken.safetensors"}},
              "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
              "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
              "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 2, "cfg": 7, "sampler_name": "{{{sampler}}}", "scheduler": "karras",
                    "denoise": 1, "model": ["4", 0], "positive": ["6", 0], "negative": ["6", 0], "latent_image": ["5", 0]}},
              "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
              "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x", "images": ["8", 0]}}
            }
            """);
        var (code, stdout, stderr) = await CliRun.InProcess("run", workflow, "--base", _dir);
        return (code, stdout + stderr);
    }

    [Fact]
    public async Task AGpuTreeSamplerIsWarnedAbout()
    {
        var (code, output) = await RunWithSampler("dpmpp_2m_sde_gpu");
        Assert.Equal(1, code);  // the checkpoint is not a model
        Assert.Contains("sampler 'dpmpp_2m_sde_gpu' draws its Brownian-tree noise on the CPU here", output);
        Assert.Contains("will not match a GPU run", output);
    }

    [Fact]
    public async Task AnExactSdeSamplerIsNot()
    {
        var (code, output) = await RunWithSampler("dpmpp_2m_sde");
        Assert.Equal(1, code);
        Assert.DoesNotContain("[warning]", output);
        Assert.Contains("broken.safetensors", output);
    }
}
