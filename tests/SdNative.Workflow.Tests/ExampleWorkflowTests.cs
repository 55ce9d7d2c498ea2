using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>
/// Runs every workflow in examples/ on a tiny random test model written under the name the
/// examples use, with sizes and steps shrunk so each takes seconds. Checks the image count and
/// size and that the seed changes the result; ExampleWorkflowMeaningTests checks what each
/// example does.
/// </summary>
public class ExampleWorkflowTests
{
    internal const string CheckpointName = "v1-5-pruned-emaonly.safetensors";

    public static TheoryData<string, int, int> Examples() => new()
    {
        // name, images, output size (after the test's size overrides; inputs are 64×64)
        { "img2img-seed-guide", 1, 64 },
        { "style-transfer", 1, 64 },
        { "upscale-and-enhance", 1, 128 },
        { "sketch-to-image", 1, 64 },
        { "photo-restoration", 1, 64 },
        { "hires-fix", 1, 128 },
        { "variations", 4, 64 },
        { "blending", 1, 64 },
        { "txt2img", 1, 64 },
        { "inpainting", 1, 64 },
        { "inpainting-noise-mask", 1, 64 },
    };

    [Fact]
    public void EveryExampleIsListedAndValidates()
    {
        string dir = Path.Combine(TestFolders.RepoRoot(), "examples");
        var names = Directory.GetFiles(dir, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray();
        var listed = Examples().Select(row => (string)row[0]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(listed, names);

        using var folders = new TestFolders();
        File.WriteAllBytes(Path.Combine(folders.Base, "models", "checkpoints", CheckpointName), []);
        WriteInputs(folders.Input);
        using var runner = new WorkflowRunner(samplerSupported: _ => true);
        foreach (var name in names)
        {
            var result = runner.Validate(File.ReadAllText(Path.Combine(dir, name + ".json")), folders.Options);
            Assert.True(result.IsValid, $"{name}: {result.ConsoleText()}");
            Assert.Empty(result.NodeErrors);
        }
    }

    [Fact]
    public void SeedGuideExampleIsTheGuidesWorkflow()
    {
        var doc = WorkflowDocument.Parse(File.ReadAllText(Path.Combine(TestFolders.RepoRoot(), "examples", "img2img-seed-guide.json")));
        Assert.Equal("dpm++ 2m karras", doc.Prompt["sampler"]!["inputs"]!["sampler_name"]!.GetValue<string>());
        Assert.Equal(0.65, doc.Prompt["sampler"]!["inputs"]!["denoise"]!.GetValue<double>());
    }

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public async Task ExampleRunsOnTinyModel(string name, int images, int size)
    {
        string vocab = SharedVocabulary();
        using var folders = new TestFolders();
        WriteInputs(folders.Input);
        await TinyModel.WriteAsync(Path.Combine(folders.Base, "models", "checkpoints", CheckpointName));
        var prompt = WorkflowDocument.Parse(File.ReadAllText(Path.Combine(TestFolders.RepoRoot(), "examples", name + ".json"))).Prompt;
        Shrink(prompt);
        var options = folders.Options with { TokenizerPath = vocab, Threads = 2 };

        using var runner = new WorkflowRunner();
        var first = await runner.RunAsync(prompt.ToJsonString(), options);
        Assert.Equal(images, first.FilesWritten.Count);
        var firstPixels = first.FilesWritten.Select(f => ImageLoader.LoadImage(f).Image).ToList();
        Assert.All(firstPixels, img => Assert.Equal((size, size), (img.Width, img.Height)));

        foreach (var (_, node) in prompt)
        {
            if (node!["class_type"]!.GetValue<string>() == "KSampler")
            {
                node["inputs"]!["seed"] = node["inputs"]!["seed"]!.GetValue<long>() + 1;
            }
        }
        var second = await runner.RunAsync(prompt.ToJsonString(), options);
        Assert.DoesNotContain(second.Nodes, n => n.ClassType == "CheckpointLoaderSimple" && !n.Cached);
        var secondPixels = ImageLoader.LoadImage(second.FilesWritten[0]).Image;
        Assert.True(ImageRegions.MeanAbsDifference(firstPixels[0], secondPixels) > 1e-4, "another seed gave the same image");
    }

    /// <summary>Small sizes and few steps so a tiny model runs each example in seconds.</summary>
    internal static void Shrink(JsonObject prompt)
    {
        foreach (var (_, node) in prompt)
        {
            var inputs = node!["inputs"]!.AsObject();
            switch (node["class_type"]!.GetValue<string>())
            {
                case "EmptyLatentImage":
                    inputs["width"] = 64;
                    inputs["height"] = 64;
                    break;
                case "ImageScale":
                case "LatentUpscale":
                    inputs["width"] = 128;
                    inputs["height"] = 128;
                    break;
                case "KSampler":
                    inputs["steps"] = 2;
                    break;
            }
        }
    }

    /// <summary>64×64 inputs: two pictures, a sketch, an old photo, and a mask whose red
    /// channel marks the middle.</summary>
    internal static void WriteInputs(string input)
    {
        File.Delete(Path.Combine(input, "example.png"));
        ImageSaver.WriteExampleImage(Path.Combine(input, "example.png"), 64);
        WritePng(Path.Combine(input, "example2.png"), (x, y) => (x * 4, 255 - y * 4, 128));
        WritePng(Path.Combine(input, "sketch.png"), (x, y) => (x % 16 == 0 || y % 16 == 0) ? (0, 0, 0) : (255, 255, 255));
        WritePng(Path.Combine(input, "old_photo.png"), (x, y) => (120 + (x * 7 + y * 3) % 60, 100 + (x * y) % 40, 80));
        WritePng(Path.Combine(input, "mask.png"), (x, y) => x is >= 16 and < 48 && y is >= 16 and < 48 ? (255, 255, 255) : (0, 0, 0));
    }

    internal static void WritePng(string path, Func<int, int, (int R, int G, int B)> color, int size = 64)
    {
        var image = new ImageBatch(1, size, size);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                var (r, g, b) = color(x, y);
                image.Pixels.Data[image.Index(0, y, x, 0)] = r / 255f;
                image.Pixels.Data[image.Index(0, y, x, 1)] = g / 255f;
                image.Pixels.Data[image.Index(0, y, x, 2)] = b / 255f;
            }
        }
        var saved = ImageSaver.Save(image, Path.GetDirectoryName(path)!, "tmp_" + Path.GetFileNameWithoutExtension(path));
        File.Move(saved[0].FullPath, path);
    }

    internal static string SharedVocabulary() => TinyModel.SharedVocabulary();
}
