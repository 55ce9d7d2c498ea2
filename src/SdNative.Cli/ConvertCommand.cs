using System.CommandLine;

namespace SdNative.Cli;

/// <summary>`sdnative convert IN OUT.gguf --type T`: re-encode a checkpoint's weights into GGUF.</summary>
public static class ConvertCommand
{
    /// <summary>The weight types convert and make-test-model write (the engine's list, same order).</summary>
    public static readonly string[] Types = ["f32", "f16", "bf16", "q8_0", "q5_0", "q5_1", "q4_0", "q4_1", "q6_K", "q5_K", "q4_K", "q3_K", "q2_K"];

    /// <summary>Throws a user error (exit 2) naming the valid types unless type is one of them.</summary>
    public static void RequireListedType(string type)
    {
        if (!Types.Contains(type))
        {
            throw new UserError($"unknown weight type '{type}' (one of {string.Join(", ", Types)})");
        }
    }

    public static Command Create(CliConsole console)
    {
        var input = new Argument<string>("in") { Description = "The checkpoint to convert (.safetensors or .gguf)." };
        var output = new Argument<string>("out") { Description = "The GGUF file to write." };
        var type = new Option<string>("--type") { Description = $"Weight type: {string.Join(", ", Types)}.", DefaultValueFactory = _ => "f16" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "A CLIP vocabulary to embed (default: one found beside the model)." };
        var convLayout = new Option<string>("--conv-layout")
        {
            Description = "How quantized types store UNet 3x3/1x1 convs: f16 (kept f16, stable-diffusion.cpp's layout) or flattened (quantized as [O, C*kh*kw] rows with ComfyUI-GGUF's orig_shape record; faster on CPUs with AVX512-VNNI, less accurate).",
            DefaultValueFactory = _ => "f16",
        };
        convLayout.AcceptOnlyFromAmong("f16", "flattened");
        var command = new Command("convert", "Convert a checkpoint to GGUF with quantized weights (norms and biases stay f32/f16).") { input, output, type, tokenizer, convLayout };
        command.SetAction((parse, token) => CliApp.Guard(console, async () =>
        {
            string inPath = parse.GetValue(input)!, outPath = parse.GetValue(output)!, weightType = parse.GetValue(type)!;
            if (!File.Exists(inPath))
            {
                throw new UserError($"input model not found: {inPath}");
            }
            if (!outPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
            {
                throw new UserError($"the output must be a .gguf file: {outPath}");
            }
            RequireListedType(weightType);
            using var engine = new SdnEngine();
            var started = DateTime.UtcNow;
            var layout = parse.GetValue(convLayout) == "flattened" ? ConvLayout.Flattened : ConvLayout.F16;
            await ModelFiles.ConvertAsync(engine, Path.GetFullPath(inPath), Path.GetFullPath(outPath), weightType, layout, parse.GetValue(tokenizer), null, token);
            console.Out.WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length / (1024.0 * 1024.0):F1} MiB, {weightType}) in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            return ExitCodes.Success;
        }, token));
        return command;
    }
}
