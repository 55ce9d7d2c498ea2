using System.CommandLine;

namespace SdNative.Cli;

/// <summary>`sdnative make-test-model`: a tiny random-weight checkpoint (SD1.x, SD2.x, SDXL or
/// the SDXL refiner) for tests and demos.</summary>
public static class MakeTestModelCommand
{
    public const string DefaultFileName = "sdnative-tiny-test.safetensors";

    /// <summary>The architectures --arch takes, as `sdnative info` names them.</summary>
    public static readonly IReadOnlyDictionary<string, ModelArchitecture> Architectures = new Dictionary<string, ModelArchitecture>
    {
        ["sd1"] = ModelArchitecture.Sd1,
        ["sd2"] = ModelArchitecture.Sd2,
        ["sdxl"] = ModelArchitecture.Sdxl,
        ["sdxl_refiner"] = ModelArchitecture.SdxlRefiner,
    };

    public static Command Create(CliConsole console)
    {
        var output = new Option<string?>("--out") { Description = $"File to write (.safetensors or .gguf); default <models>/checkpoints/{DefaultFileName}." };
        var type = new Option<string>("--type") { Description = $"Weight type: f32, f16, bf16 (any format); {string.Join(", ", ConvertCommand.Types.Skip(3))} (.gguf only).", DefaultValueFactory = _ => "f16" };
        var seed = new Option<ulong>("--seed") { Description = "Random seed of the weights.", DefaultValueFactory = _ => 0UL };
        var models = new Option<string?>("--models") { Description = "The models folder (default <base>/models)." };
        var arch = new Option<string>("--arch") { Description = $"Architecture: {string.Join(", ", Architectures.Keys)}.", DefaultValueFactory = _ => "sd1" };
        var command = new Command("make-test-model", "Write a tiny random-weight checkpoint (SD1.x, SD2.x, SDXL or SDXL refiner) with the real tensor names.") { output, type, seed, models, arch };
        command.SetAction((parse, token) => CliApp.Guard(console, async () =>
        {
            string path = parse.GetValue(output) ?? Path.Combine(CliPaths.Resolve(null, parse.GetValue(models), null, null).Models, "checkpoints", DefaultFileName);
            string archName = parse.GetValue(arch)!;
            if (!Architectures.TryGetValue(archName, out var architecture))
            {
                throw new UserError($"unknown architecture '{archName}' (one of {string.Join(", ", Architectures.Keys)})");
            }
            path = await WriteAsync(path, parse.GetValue(type)!, parse.GetValue(seed), token, architecture);
            console.Out.WriteLine($"wrote {path}");
            return ExitCodes.Success;
        }, token));
        return command;
    }

    public static async Task<string> WriteAsync(string path, string type, ulong seed, CancellationToken token, ModelArchitecture architecture = ModelArchitecture.Sd1)
    {
        path = Path.GetFullPath(path);
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
        {
            throw new UserError($"the test model must be a .safetensors or .gguf file: {path}");
        }
        ConvertCommand.RequireListedType(type);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var engine = new SdnEngine();
        await ModelFiles.MakeTestModelAsync(engine, path, architecture, type, seed, token);
        return path;
    }
}
