using SdNative.Cli.Tests.Fidelity;
using SdNative.Workflow.Tests;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Cli.Tests;

/// <summary>`sdnative run --preview PATH` writes the sampler's previews to PATH: from the TAESD
/// decoder in models/vae_approx when there is one (a decoder that paints every image one colour,
/// which the projection never does), from the latent→RGB projection (one pixel per latent pixel)
/// without one or with --preview-method latent2rgb; and the options' errors exit 2.</summary>
[Collection("run command executor")]
public sealed class PreviewFileTests : IDisposable
{
    private static readonly Rgb24 Colour = new(51, 153, 255);
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-preview-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Preview => Path.Combine(_dir, "preview.png");

    private async Task<string> TinyTxt2ImgAsync()
    {
        var shared = SharedFolder.Require();
        var models = Path.Combine(_dir, "models");
        var tokenizers = Directory.CreateDirectory(Path.Combine(models, "tokenizers")).FullName;
        File.Copy(Path.Combine(shared, "data", "clip", "bpe_simple_vocab_16e6.txt.gz"), Path.Combine(tokenizers, "bpe_simple_vocab_16e6.txt.gz"));
        var checkpoint = Path.Combine(Directory.CreateDirectory(Path.Combine(models, "checkpoints")).FullName, "tiny.safetensors");
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 1)))
        {
            await ModelFiles.MakeTestModelAsync(engine, checkpoint, "f16", 3);
        }
        var workflow = Path.Combine(_dir, "wf.json");
        await File.WriteAllTextAsync(workflow, """
            {
              "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "tiny.safetensors"}},
              "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 48, "batch_size": 1}},
              "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
              "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 2, "cfg": 7, "sampler_name": "euler", "scheduler": "normal",
                    "denoise": 1, "model": ["4", 0], "positive": ["6", 0], "negative": ["6", 0], "latent_image": ["5", 0]}},
              "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
              "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x", "images": ["8", 0]}}
            }
            """);
        return workflow;
    }

    private void WritePaintingDecoder()
    {
        string approx = Directory.CreateDirectory(Path.Combine(_dir, "models", "vae_approx")).FullName;
        ConstantTaesd.Write(Path.Combine(approx, "taesd_decoder.safetensors"), Colour);
    }

    private async Task<Image<Rgb24>> RunAsync(params string[] extra)
    {
        string workflow = await TinyTxt2ImgAsync();
        var (code, stdout, stderr) = await CliRun.InProcess(["run", workflow, "--base", _dir, "--preview", Preview, .. extra]);
        Assert.True(code == 0, stdout + stderr);
        Assert.DoesNotContain("previews stop", stderr);
        // Written beside the file and renamed over it: nothing partial is left behind.
        Assert.Equal(["preview.png"], Directory.GetFiles(_dir, "*preview.png*").Select(Path.GetFileName));
        return Image.Load<Rgb24>(Preview);
    }

    [SkippableFact]
    public async Task ATaesdDecoderInVaeApproxMakesThePreviews()
    {
        WritePaintingDecoder();
        using var image = await RunAsync();
        // TAESD decodes the 8x6 latent to the image size, 8 pixels per latent pixel.
        Assert.Equal((64, 48), (image.Width, image.Height));
        Assert.True(ConstantTaesd.Painted(image, Colour), "the preview is not the TAESD decoder's colour");
    }

    [SkippableFact]
    public async Task Latent2RgbIsTheProjectionEvenWithADecoderThere()
    {
        WritePaintingDecoder();
        using var image = await RunAsync("--preview-method", "latent2rgb");
        Assert.Equal((8, 6), (image.Width, image.Height));
        Assert.False(ConstantTaesd.Painted(image, Colour), "a latent2rgb preview came from TAESD");
    }

    [SkippableFact]
    public async Task WithoutADecoderAutoIsTheProjection()
    {
        using var image = await RunAsync("--preview-method", "auto");
        Assert.Equal((8, 6), (image.Width, image.Height));
    }

    [Theory]
    [InlineData("--preview-method", "fast", "--preview-method takes none, auto, latent2rgb, taesd, not 'fast'")]
    [InlineData("--preview-method", "taesd", "--preview-method taesd needs --preview PATH")]
    [InlineData("--memory-budget", "lots", "--memory-budget: 'lots' is not a memory size")]
    public async Task BadPreviewAndBudgetOptionsExit2(string option, string value, string message)
    {
        var (code, _, stderr) = await CliRun.InProcess("run", Path.Combine(_dir, "wf.json"), option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task APreviewIntoAMissingFolderOrWithNothingToWriteExits2()
    {
        var (code, _, stderr) = await CliRun.InProcess("run", Path.Combine(_dir, "wf.json"), "--preview", Path.Combine(_dir, "absent", "p.png"));
        Assert.Equal(2, code);
        Assert.Contains("needs a file name in a folder that exists", stderr);
        (code, _, stderr) = await CliRun.InProcess("run", Path.Combine(_dir, "wf.json"), "--preview", Preview, "--preview-method", "none");
        Assert.Equal(2, code);
        Assert.Contains("--preview-method none leaves nothing for --preview to write", stderr);
    }

    [SkippableFact]
    public async Task AMemoryBudgetTooSmallForAnyVaeTileFailsNamingIt()
    {
        string workflow = await TinyTxt2ImgAsync();
        var (code, stdout, stderr) = await CliRun.InProcess("run", workflow, "--base", _dir, "--memory-budget", "1K");
        Assert.True(code == 1, stdout + stderr);
        Assert.Matches("the memory budget of [0-9.]+ (bytes|KiB) on cpu is too small", stderr);
        Assert.Contains("smallest tile (16 pixels)", stderr);
        CliRun.AssertNoStackTrace(stderr);
    }
}
