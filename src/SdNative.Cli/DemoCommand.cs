using System.CommandLine;
using SdNative.Imaging;

namespace SdNative.Cli;

/// <summary>
/// `sdnative demo`: the seed guide's img2img workflow end to end. With no checkpoint in
/// &lt;models&gt;/checkpoints it writes a tiny random test model (the result is noise-like, but every
/// stage runs), writes an example input image, copies the CLIP vocabulary from the shared
/// folder when one is there, runs the workflow and prints where the result is.
/// </summary>
public static class DemoCommand
{
    public const string WorkflowFile = "img2img-seed-guide.json";
    public const string ExampleImage = "example.png";

    public static Command Create(CliConsole console)
    {
        var baseDir = new Option<string?>("--base") { Description = "Base folder holding models/, input/ and output/." };
        var threads = new Option<int>("--threads") { Description = "Engine threads (0 = physical cores).", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print the run summary as JSON." };
        var command = new Command("demo", "Run the seed guide's img2img workflow, on a tiny test model when no checkpoint is present.") { baseDir, threads, json };
        command.SetAction((parse, token) => CliApp.Guard(console, async () =>
        {
            var paths = CliPaths.Resolve(parse.GetValue(baseDir), null, null, null);
            var (workflow, overrides) = await PrepareAsync(paths, console, token);
            int code = await RunCommand.ExecuteAsync(console, workflow, overrides, paths, parse.GetValue(threads), parse.GetValue(json), token);
            if (code == ExitCodes.Success && overrides.Any(o => o.Key == "checkpoint.ckpt_name" && IsRandomWeightModel(o.Value)))
            {
                console.Error.WriteLine(RandomWeightsNotice(paths));
            }
            return code;
        }, token));
        return command;
    }

    /// <summary>Makes sure a checkpoint, a tokenizer (when obtainable), the example image and the
    /// workflow exist; returns the workflow path and the --set overrides for them.</summary>
    public static async Task<(string Workflow, List<KeyValuePair<string, string>> Overrides)> PrepareAsync(CliPaths paths, CliConsole console, CancellationToken token)
    {
        var overrides = new List<KeyValuePair<string, string>>();
        string checkpoints = Path.Combine(paths.Models, "checkpoints");
        string? checkpoint = Directory.Exists(checkpoints)
            ? Directory.EnumerateFiles(checkpoints).Where(f => f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (checkpoint is null)
        {
            checkpoint = Path.Combine(checkpoints, MakeTestModelCommand.DefaultFileName);
            console.Error.WriteLine($"demo: no checkpoint in {checkpoints}; writing a tiny random test model (the picture will be noise)");
            await MakeTestModelCommand.WriteAsync(checkpoint, "f16", 0, token);
        }
        overrides.Add(new("checkpoint.ckpt_name", Path.GetFileName(checkpoint)));

        string tokenizers = Path.Combine(paths.Models, "tokenizers");
        bool haveTokenizer = Directory.Exists(tokenizers) && Directory.EnumerateFiles(tokenizers).Any();
        if (!haveTokenizer && SharedVocabulary() is { } vocabulary)
        {
            Directory.CreateDirectory(tokenizers);
            File.Copy(vocabulary, Path.Combine(tokenizers, Path.GetFileName(vocabulary)));
            console.Error.WriteLine($"demo: copied the CLIP vocabulary into {tokenizers}");
        }
        else if (!haveTokenizer)
        {
            console.Error.WriteLine($"demo: no CLIP tokenizer in {tokenizers}; run 'sdnative download-tokenizer' if the run cannot find one");
        }

        string image = Path.Combine(paths.Input, ExampleImage);
        if (!File.Exists(image))
        {
            Directory.CreateDirectory(paths.Input);
            ImageSaver.WriteExampleImage(image);
            console.Error.WriteLine($"demo: wrote an example input image {image}");
        }
        overrides.Add(new("load_image.image", ExampleImage));

        string? workflow = new[] { CliPaths.RepositoryRoot(), paths.Base }
            .Where(r => r is not null)
            .Select(r => Path.Combine(r!, "examples", WorkflowFile))
            .FirstOrDefault(File.Exists);
        if (workflow is null)
        {
            throw new UserError($"the demo workflow examples/{WorkflowFile} is missing", ExitCodes.Failure);
        }
        return (workflow, overrides);
    }

    /// <summary>Whether the demo ran on the random-weight test model it writes itself.</summary>
    public static bool IsRandomWeightModel(string checkpointName) =>
        string.Equals(checkpointName, MakeTestModelCommand.DefaultFileName, StringComparison.Ordinal);

    /// <summary>What the user sees after a demo on the test model: the picture is noise by
    /// construction, and how to get a real one.</summary>
    public static string RandomWeightsNotice(CliPaths paths) =>
        $"demo: the saved image is noise: {MakeTestModelCommand.DefaultFileName} has random weights (it checks that every stage runs, "
        + "it was never trained). For a real picture put an SD1.x checkpoint (.safetensors or .gguf, e.g. v1-5-pruned-emaonly.safetensors) in "
        + $"{Path.Combine(paths.Models, "checkpoints")}, remove {MakeTestModelCommand.DefaultFileName} from there, and run the demo again; "
        + "see \"Bringing a real checkpoint and tokenizer\" in README.md.";

    /// <summary>The shared folder's CLIP vocabulary ($SDN_SHARED_DIR, else ../shared beside the checkout).</summary>
    private static string? SharedVocabulary()
    {
        var shared = Environment.GetEnvironmentVariable("SDN_SHARED_DIR");
        if (string.IsNullOrEmpty(shared) && CliPaths.RepositoryRoot() is { } repo)
        {
            shared = Path.Combine(repo, "..", "shared");
        }
        if (string.IsNullOrEmpty(shared))
        {
            return null;
        }
        var path = Path.GetFullPath(Path.Combine(shared, "data", "clip", "bpe_simple_vocab_16e6.txt.gz"));
        return File.Exists(path) ? path : null;
    }
}
