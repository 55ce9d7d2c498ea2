using System.Diagnostics;
using Xunit.Abstractions;

namespace SdNative.Cli.Tests.Fidelity;

/// <summary>
/// End-to-end fidelity: every oracle case runs as `sdnative run CASE.json` with default
/// settings on the full-size random checkpoint of its family (SD1.5 for cases/ and for lora/,
/// through the random LoRA the shared generator writes; SDXL for sdxl/), and the image it saves
/// must be within 45 dB PSNR of the expected image. Under CI=true a missing oracle fails, never
/// skips. SDN_ORACLE_DEVICE (e.g. vulkan, vulkan:1) runs the cases with `--device` on that
/// device instead of the CPU: on a GPU, or to time them on lavapipe (docs/vulkan.md).
/// </summary>
public class OracleFidelityTests
{
    private const double PassMarkDb = 45.0;
    private readonly ITestOutputHelper _output;

    public OracleFidelityTests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> Cases() => CasesIn("cases", "lora");

    public static IEnumerable<object[]> SdxlCases() => CasesIn("sdxl");

    private static IEnumerable<object[]> CasesIn(params string[] folders)
    {
        var shared = SharedFolder.Path;
        if (shared == null || !folders.All(f => Directory.Exists(Path.Combine(shared, "oracle", f))))
        {
            // One placeholder row so the test runs and reports the missing oracle.
            yield return new object[] { folders[0], "(oracle missing)" };
            yield break;
        }
        foreach (var folder in folders)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(shared, "oracle", folder), "*.json").Order())
            {
                yield return new object[] { folder, Path.GetFileNameWithoutExtension(file) };
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void CaseMatchesTheExpectedImage(string folder, string caseName) =>
        RunCase(folder, caseName, () => OracleCheckpoint("SDN_ORACLE_CHECKPOINT", "sd15"));

    [SkippableTheory]
    [MemberData(nameof(SdxlCases))]
    public void SdxlCaseMatchesTheExpectedImage(string folder, string caseName) =>
        RunCase(folder, caseName, () => OracleCheckpoint("SDN_ORACLE_SDXL_CHECKPOINT", "sdxl"));

    /// <summary>The first SD1.5 case on a q8_0 GGUF conversion of its checkpoint. On CPUs with
    /// AVX512-VNNI q8_0 weights take integer products over activations quantized per 32-block,
    /// so this is the end-to-end check of those products; the image must meet the same pass mark
    /// (the reference engine's own q8_0 image lands about 52 dB from its f16 one).</summary>
    [SkippableFact]
    public void Q8_0ConversionMatchesTheExpectedImage() =>
        RunCase("cases", "t2i-euler-normal-64", () => OracleCheckpoint("SDN_ORACLE_CHECKPOINT", "sd15"), convertTo: "q8_0");

    private void RunCase(string folder, string caseName, Func<string> prepareCheckpoint, string? convertTo = null)
    {
        var shared = SharedFolder.Require();
        var caseJson = Path.Combine(shared, "oracle", folder, caseName + ".json");
        Assert.True(File.Exists(caseJson), "oracle case missing: " + caseJson);
        var checkpoint = prepareCheckpoint();
        var models = Path.GetDirectoryName(Path.GetDirectoryName(checkpoint))!;

        var work = Directory.CreateTempSubdirectory("sdn-oracle-");
        try
        {
            if (folder == "lora")
            {
                models = OracleLora.ModelsWithLora(shared, checkpoint, work.FullName);
            }
            var workflow = caseJson;
            if (convertTo != null)
            {
                (models, workflow) = OracleConversion.Prepare(caseJson, checkpoint, convertTo, work.FullName);
            }
            var input = Directory.CreateDirectory(Path.Combine(work.FullName, "input")).FullName;
            var output = Directory.CreateDirectory(Path.Combine(work.FullName, "output")).FullName;
            foreach (var f in Directory.GetFiles(Path.Combine(shared, "oracle", "input")))
            {
                File.Copy(f, Path.Combine(input, Path.GetFileName(f)));
            }
            var env = new Dictionary<string, string>
            {
                ["SDN_TOKENIZER"] = Path.Combine(shared, "data", "clip", "bpe_simple_vocab_16e6.txt.gz"),
            };
            var watch = Stopwatch.StartNew();
            string[] args = ["run", workflow, "--models", models, "--input", input, "--output", output];
            if (Environment.GetEnvironmentVariable("SDN_ORACLE_DEVICE") is { Length: > 0 } device)
            {
                args = [.. args, "--device", device];
            }
            var (code, stdout, stderr) = CliProcess.Run(env, args);
            _output.WriteLine($"{caseName}: exit {code} in {watch.Elapsed.TotalSeconds:F1} s");
            _output.WriteLine(stdout);
            Assert.True(code == 0, $"sdnative run failed ({code}):\n{stdout}\n{stderr}");
            var written = Directory.GetFiles(output, "*.png", SearchOption.AllDirectories);
            Assert.Single(written);
            double psnr = Psnr.Between(Path.Combine(shared, "oracle", folder, caseName + ".expected.png"), written[0]);
            _output.WriteLine($"PSNR {caseName}: {psnr:F2} dB");
            Console.WriteLine($"oracle PSNR {caseName}: {psnr:F2} dB");
            Assert.True(psnr >= PassMarkDb, $"{caseName}: PSNR {psnr:F2} dB is below the {PassMarkDb} dB pass mark");
        }
        finally
        {
            work.Delete(true);
        }
    }

    /// <summary>The checkpoint the variable names, else the cached file scripts/oracle-checkpoint
    /// prepares for the family. The cases find it by name in its models folder.</summary>
    private static string OracleCheckpoint(string variable, string family)
    {
        var env = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(env) && File.Exists(env))
        {
            return env;
        }
        var script = Path.Combine(SharedFolder.RepoRoot, "scripts", "oracle-checkpoint");
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(family);
        using var p = Process.Start(psi)!;
        var path = p.StandardOutput.ReadToEnd().Trim();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0 && File.Exists(path), "could not prepare the oracle checkpoint: " + err);
        return path;
    }
}
