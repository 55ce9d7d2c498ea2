using System.Text.Json.Nodes;

namespace SdNative.Cli.Tests;

/// <summary>info / convert / make-test-model on tiny models.</summary>
public sealed class ModelCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-models-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task MakeTestModelThenInfoThenConvert()
    {
        var model = Path.Combine(_dir, "tiny.safetensors");
        var made = await CliRun.InProcess("make-test-model", "--out", model, "--type", "f16", "--seed", "3");
        Assert.True(made.Code == 0, made.Err);
        Assert.True(new FileInfo(model).Length > 0);

        var info = await CliRun.InProcess("info", model, "--json");
        Assert.True(info.Code == 0, info.Err);
        Assert.NotNull(JsonNode.Parse(info.Out));
        var plain = await CliRun.InProcess("info", model);
        Assert.Equal(0, plain.Code);
        Assert.Contains("tiny.safetensors", plain.Out);

        var gguf = Path.Combine(_dir, "tiny-q8.gguf");
        var converted = await CliRun.InProcess("convert", model, gguf, "--type", "q8_0");
        Assert.True(converted.Code == 0, converted.Err);
        Assert.Equal("GGUF", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(gguf), 0, 4));
    }

    [Theory]
    [InlineData("sd2", "sd2")]
    [InlineData("sdxl", "sdxl")]
    [InlineData("sdxl_refiner", "sdxl_refiner")]
    public async Task InfoNamesTheArchitectureAndPredictionOfEachTinyModel(string arch, string expected)
    {
        var model = Path.Combine(_dir, arch + ".safetensors");
        var made = await CliRun.InProcess("make-test-model", "--out", model, "--arch", arch);
        Assert.True(made.Code == 0, made.Err);
        var info = await CliRun.InProcess("info", model, "--json");
        Assert.True(info.Code == 0, info.Err);
        var json = JsonNode.Parse(info.Out)!;
        Assert.Equal(expected, (string)json["architecture"]!);
        Assert.Equal("eps", (string)json["prediction"]!);
        Assert.Empty(json["missing"]!.AsArray());
        Assert.Empty(json["unexpected"]!.AsArray());
        var plain = await CliRun.InProcess("info", model);
        Assert.Contains("prediction: eps", plain.Out);
        var bad = await CliRun.InProcess("make-test-model", "--out", model, "--arch", "sd3");
        Assert.Equal(2, bad.Code);
        Assert.Contains("sd3", bad.Err);
    }

    [Fact]
    public async Task MakeTestModelDefaultsIntoTheModelsCheckpointsFolder()
    {
        var models = Path.Combine(_dir, "models");
        var (code, _, err) = await CliRun.InProcess("make-test-model", "--models", models);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(models, "checkpoints", MakeTestModelCommand.DefaultFileName)));
    }

    [Theory]
    [InlineData("info", "/no/such/model.safetensors")]
    [InlineData("convert", "/no/such/model.safetensors", "/tmp/out.gguf")]
    public async Task MissingInputsAreUserErrors(params string[] args)
    {
        var (code, stdout, stderr) = await CliRun.InProcess(args);
        Assert.Equal(2, code);
        Assert.Contains("/no/such/model.safetensors", stderr);
        CliRun.AssertNoStackTrace(stdout + stderr);
    }

    [Fact]
    public async Task ConvertRejectsUnknownTypesAndNonGgufOutputs()
    {
        var input = Path.Combine(_dir, "in.safetensors");
        File.WriteAllText(input, "x");
        var badType = await CliRun.InProcess("convert", input, Path.Combine(_dir, "o.gguf"), "--type", "q9_9");
        Assert.Equal(2, badType.Code);
        Assert.Contains("q9_9", badType.Err);
        var badOut = await CliRun.InProcess("convert", input, Path.Combine(_dir, "o.bin"));
        Assert.Equal(2, badOut.Code);
        Assert.Contains(".gguf", badOut.Err);
    }

    [Fact]
    public async Task ConvLayoutFlattenedQuantizesTheUnetConvsAndTheDefaultKeepsThemF16()
    {
        var model = Path.Combine(_dir, "tiny.safetensors");
        Assert.Equal(0, (await CliRun.InProcess("make-test-model", "--out", model, "--type", "f16")).Code);
        string flat = Path.Combine(_dir, "flat.gguf"), f16 = Path.Combine(_dir, "f16.gguf");
        var flattened = await CliRun.InProcess("convert", model, flat, "--type", "q8_0", "--conv-layout", "flattened");
        Assert.True(flattened.Code == 0, flattened.Err);
        var byDefault = await CliRun.InProcess("convert", model, f16, "--type", "q8_0");
        Assert.True(byDefault.Code == 0, byDefault.Err);
        // The tiny UNet's 3x3 convs (all but conv_in) are q8_0 in one (1.06 bytes a weight) and
        // f16 in the other (2 bytes), and record their shape only when flattened.
        Assert.True(new FileInfo(flat).Length < new FileInfo(f16).Length, $"{new FileInfo(flat).Length} vs {new FileInfo(f16).Length}");
        var orig = System.Text.Encoding.ASCII.GetBytes("comfy.gguf.orig_shape.model.diffusion_model.input_blocks.1.0.in_layers.2.weight");
        Assert.True(File.ReadAllBytes(flat).AsSpan().IndexOf(orig) >= 0);
        Assert.True(File.ReadAllBytes(f16).AsSpan().IndexOf(orig) < 0);

        var bad = await CliRun.InProcess("convert", model, Path.Combine(_dir, "o.gguf"), "--type", "q8_0", "--conv-layout", "sdcpp");
        Assert.Equal(2, bad.Code);
        Assert.Contains("sdcpp", bad.Err);
    }

    private const string ListedTypes = "f32, f16, bf16, q8_0, q5_0, q5_1, q4_0, q4_1, q6_K, q5_K, q4_K, q3_K, q2_K";

    [Theory]
    [InlineData("convert", "q9_9")]
    [InlineData("convert", "i64")]
    [InlineData("make-test-model", "q9_9")]
    [InlineData("make-test-model", "i64")]
    public async Task UnlistedTypesExit2NamingEveryValidType(string command, string type)
    {
        var input = Path.Combine(_dir, "in.safetensors");
        File.WriteAllText(input, "x");
        string[] args = command == "convert"
            ? ["convert", input, Path.Combine(_dir, "o.gguf"), "--type", type]
            : ["make-test-model", "--out", Path.Combine(_dir, "o.gguf"), "--type", type];
        var (code, stdout, stderr) = await CliRun.InProcess(args);
        Assert.Equal(2, code);
        Assert.Contains($"'{type}'", stderr);
        Assert.Contains(ListedTypes, stderr);
        CliRun.AssertNoStackTrace(stdout + stderr);
        var help = await CliRun.InProcess(command, "--help");
        Assert.Contains(command == "convert" ? ListedTypes : "q8_0, q5_0, q5_1, q4_0, q4_1, q6_K, q5_K, q4_K, q3_K, q2_K", help.Out);
    }

    [Fact]
    public async Task KQuantTestModelsAndConversionsAreWritten()
    {
        var kq = Path.Combine(_dir, "tiny-q4k.gguf");
        var made = await CliRun.InProcess("make-test-model", "--out", kq, "--type", "q4_K", "--seed", "2");
        Assert.True(made.Code == 0, made.Err);
        var source = Path.Combine(_dir, "tiny.safetensors");
        Assert.Equal(0, (await CliRun.InProcess("make-test-model", "--out", source, "--type", "f32")).Code);
        foreach (var type in new[] { "q5_1", "q3_K", "q2_K" })
        {
            var gguf = Path.Combine(_dir, $"tiny-{type}.gguf");
            var converted = await CliRun.InProcess("convert", source, gguf, "--type", type);
            Assert.True(converted.Code == 0, converted.Err);
            var info = await CliRun.InProcess("info", gguf, "--json");
            Assert.True(info.Code == 0, info.Err);
            Assert.Contains($"\"{type}\"", info.Out);
        }
    }
}
