using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>
/// What each example is for, checked on the tiny random model: inpainting keeps the unmasked
/// region and repaints the masked one, the upscale example resizes (and at denoise 0 is only
/// that resize), LatentBlend's end points are its inputs, RepeatLatentBatch makes distinct
/// variations, and the hires fix's second pass runs at the upscaled size. The random VAE does
/// not reproduce its input, so "the source" is always the VAE round trip of the source.
/// </summary>
public class ExampleWorkflowMeaningTests
{
    // The inpainting tests use a 128×128 picture with a mask over [16, 48)². The random VAE's
    // group norms and attention see the whole latent, so a repainted area would shift every
    // decoded pixel a little; decoding in 64-pixel tiles without overlap keeps the bottom-right
    // quadrant's pixels a function of its own latents only (also for ComfyUI's three tilings of
    // 4×16, 16×4 and 8×8 latents), and those latents lie outside the mask even after
    // VAEEncodeForInpaint grows it by 6 pixels.
    private const int InpaintSize = 128;
    private static bool InMask(int y, int x) => y is >= 16 and < 48 && x is >= 16 and < 48;
    private static bool FarFromMask(int y, int x) => y >= 64 && x >= 64;

    [SkippableTheory]
    [InlineData("inpainting")]
    [InlineData("inpainting-noise-mask")]
    public async Task InpaintingKeepsTheUnmaskedRegionAndRepaintsTheMaskedOne(string name)
    {
        using var workspace = await ExampleWorkspace.CreateAsync();
        File.Delete(Path.Combine(workspace.Input, "example.png"));
        ImageSaver.WriteExampleImage(Path.Combine(workspace.Input, "example.png"), InpaintSize);
        File.Delete(Path.Combine(workspace.Input, "mask.png"));
        ExampleWorkflowTests.WritePng(Path.Combine(workspace.Input, "mask.png"), (x, y) => InMask(y, x) ? (255, 255, 255) : (0, 0, 0), InpaintSize);
        var prompt = ExampleWorkspace.Example(name);
        prompt["vae_decode"] = JsonNode.Parse("""
            {"class_type": "VAEDecodeTiled", "inputs": {"samples": ["sampler", 0], "vae": ["checkpoint", 2],
             "tile_size": 64, "overlap": 0, "temporal_size": 64, "temporal_overlap": 8}}
            """);
        var inpainted = (await workspace.RunAsync(prompt)).Single();
        // The VAE round trip of what the sampler started from (for VAEEncodeForInpaint, the
        // picture with its masked part set to grey, as ComfyUI encodes it).
        var source = (await workspace.RunAsync(ExampleWorkspace.DecodeFrom(prompt, "vae_encode"))).Single();

        double kept = ImageRegions.MaxAbsDifference(inpainted, source, FarFromMask);
        double repainted = ImageRegions.MeanAbsDifference(inpainted, source, InMask);
        Console.WriteLine($"{name}: unmasked region at most {kept:F4} from the source, masked {repainted:F4} on average");
        // Up to one 8-bit level: the sampler blends the kept latent back in float arithmetic.
        Assert.True(kept <= 2.0 / 255, $"the unmasked region moved up to {kept:F4} from the source's VAE round trip");
        Assert.True(repainted > 0.1, $"the masked region changed only {repainted:F4}");
    }

    [SkippableFact]
    public async Task UpscaleExampleResizesAndAtDenoiseZeroIsOnlyTheResize()
    {
        using var workspace = await ExampleWorkspace.CreateAsync();
        var prompt = ExampleWorkspace.Example("upscale-and-enhance");

        // ImageScale alone, on a linear ramp: lanczos reproduces a linear function away from the
        // borders, so the 2× result must be the ramp sampled at the output pixel centres.
        var scaleOnly = (JsonObject)prompt.DeepClone();
        scaleOnly["load_image"]!["inputs"]!["image"] = "example2.png";
        scaleOnly["save"]!["inputs"]!["images"] = new JsonArray("upscale", 0);
        var scaled = (await workspace.RunAsync(scaleOnly)).Single();
        Assert.Equal((128, 128), (scaled.Width, scaled.Height));
        Assert.True(RampError(scaled) < 2.0 / 255, $"ImageScale is {RampError(scaled) * 255:F2}/255 from the resized ramp");

        // The whole example at denoise 0: the sampler leaves the latent alone, so the result is
        // the VAE round trip of the resized image.
        var noDenoise = (JsonObject)prompt.DeepClone();
        noDenoise["sampler"]!["inputs"]!["denoise"] = 0.0;
        var result = (await workspace.RunAsync(noDenoise)).Single();
        var roundTrip = (await workspace.RunAsync(ExampleWorkspace.DecodeFrom(prompt, "vae_encode"))).Single();
        Assert.Equal((128, 128), (result.Width, result.Height));
        Assert.True(ImageRegions.MaxAbsDifference(result, roundTrip) <= 1.0 / 255, "denoise 0 changed the resized image");

        // At the example's own denoise the sampler does change it.
        var enhanced = (await workspace.RunAsync(prompt)).Single();
        Assert.True(ImageRegions.MeanAbsDifference(enhanced, roundTrip) > 0.01, "the enhancing pass changed nothing");
    }

    [SkippableFact]
    public async Task LatentBlendAtOneAndZeroIsItsInputs()
    {
        using var workspace = await ExampleWorkspace.CreateAsync();
        var prompt = ExampleWorkspace.Example("blending");
        var first = (await workspace.RunAsync(ExampleWorkspace.DecodeFrom(prompt, "vae_encode"))).Single();
        var second = (await workspace.RunAsync(ExampleWorkspace.DecodeFrom(prompt, "vae_encode_2"))).Single();
        Assert.True(ImageRegions.MeanAbsDifference(first, second) > 0.02, "the two inputs decode alike; the test could not tell them apart");

        async Task<ImageBatch> Blend(double factor)
        {
            var blended = ExampleWorkspace.DecodeFrom(prompt, "blend");
            blended["blend"]!["inputs"]!["blend_factor"] = factor;
            return (await workspace.RunAsync(blended)).Single();
        }
        // ComfyUI: samples1 * blend_factor + samples2 * (1 - blend_factor).
        Assert.True(ImageRegions.MaxAbsDifference(await Blend(1.0), first) <= 1.0 / 255, "blend_factor 1 is not samples1");
        Assert.True(ImageRegions.MaxAbsDifference(await Blend(0.0), second) <= 1.0 / 255, "blend_factor 0 is not samples2");
        var half = await Blend(0.5);
        Assert.True(ImageRegions.MeanAbsDifference(half, first) > 0.005 && ImageRegions.MeanAbsDifference(half, second) > 0.005,
            "blend_factor 0.5 equals one of the inputs");
    }

    [SkippableFact]
    public async Task RepeatLatentBatchGivesADistinctVariationPerBatchIndex()
    {
        using var workspace = await ExampleWorkspace.CreateAsync();
        var prompt = ExampleWorkspace.Example("variations");
        var images = await workspace.RunAsync(prompt);
        Assert.Equal(4, images.Count);
        var source = (await workspace.RunAsync(ExampleWorkspace.DecodeFrom(prompt, "vae_encode"))).Single();
        for (int i = 0; i < images.Count; i++)
        {
            double fromSource = ImageRegions.MeanAbsDifference(images[i], source);
            Assert.True(fromSource > 0.01, $"variation {i} is the source ({fromSource:F4})");
            for (int j = 0; j < i; j++)
            {
                double apart = ImageRegions.MeanAbsDifference(images[i], images[j]);
                Console.WriteLine($"variations {j} and {i}: {apart:F4} apart, {fromSource:F4} from the source");
                Assert.True(apart > 0.25 * fromSource, $"variations {j} and {i} are only {apart:F4} apart");
            }
        }
    }

    [SkippableFact]
    public async Task HiresFixSecondPassRunsAtTheUpscaledSize()
    {
        using var workspace = await ExampleWorkspace.CreateAsync();
        var prompt = ExampleWorkspace.Example("hires-fix");
        var firstPass = (await workspace.RunAsync(ExampleWorkspace.DecodeFrom(prompt, "first_pass"))).Single();
        var upscaled = (await workspace.RunAsync(ExampleWorkspace.DecodeFrom(prompt, "upscale_latent"))).Single();
        var final = (await workspace.RunAsync(prompt)).Single();
        Assert.Equal((64, 64), (firstPass.Width, firstPass.Height));
        Assert.Equal((128, 128), (upscaled.Width, upscaled.Height));
        Assert.Equal((128, 128), (final.Width, final.Height));
        // The second pass samples the upscaled latent: at denoise 0 it leaves it as it is, at the
        // example's denoise it changes it.
        var noSecondPass = (JsonObject)prompt.DeepClone();
        noSecondPass["second_pass"]!["inputs"]!["denoise"] = 0.0;
        Assert.True(ImageRegions.MaxAbsDifference((await workspace.RunAsync(noSecondPass)).Single(), upscaled) <= 1.0 / 255, "denoise 0 changed the latent");
        double refined = ImageRegions.MeanAbsDifference(final, upscaled);
        Assert.True(refined > 1e-3, $"the second pass left the upscaled latent as it was ({refined:F4})");
    }

    /// <summary>Largest distance, away from the borders, between an image and the ramp of
    /// example2.png (R = 4x, G = 255 - 4y, B = 128, in 1/255) resized 2× about pixel centres.</summary>
    private static double RampError(ImageBatch scaled)
    {
        double max = 0;
        for (int y = 8; y < scaled.Height - 8; y++)
        {
            for (int x = 8; x < scaled.Width - 8; x++)
            {
                double sx = (x + 0.5) / 2 - 0.5, sy = (y + 0.5) / 2 - 0.5;
                double[] want = [4 * sx / 255, (255 - 4 * sy) / 255, 128.0 / 255];
                for (int c = 0; c < 3; c++)
                {
                    max = Math.Max(max, Math.Abs(scaled.Pixels.Data[scaled.Index(0, y, x, c)] - want[c]));
                }
            }
        }
        return max;
    }
}
