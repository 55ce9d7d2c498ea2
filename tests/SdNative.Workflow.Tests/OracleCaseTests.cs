namespace SdNative.Workflow.Tests;

/// <summary>The fidelity oracle's workflows (SD1.5, LoRA and SDXL) must pass validation (the pixels
/// are checked by the CLI's fidelity test against the full-size checkpoints).</summary>
public class OracleCaseTests
{
    [SkippableFact]
    public void OracleWorkflowsValidate()
    {
        string? env = Environment.GetEnvironmentVariable("SDN_SHARED_DIR");
        string shared = string.IsNullOrEmpty(env) ? Path.GetFullPath(Path.Combine(TestFolders.RepoRoot(), "..", "shared")) : env;
        string cases = Path.Combine(shared, "oracle", "cases");
        if (!Directory.Exists(cases))
        {
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), $"CI=true but {cases} is missing");
            Skip.If(true, $"shared folder not found ({cases}); set SDN_SHARED_DIR");
        }
        using var folders = new TestFolders();
        File.WriteAllBytes(Path.Combine(folders.Base, "models", "checkpoints", "sd15-random.safetensors"), []);
        Directory.CreateDirectory(Path.Combine(folders.Base, "models", "loras"));
        File.WriteAllBytes(Path.Combine(folders.Base, "models", "loras", "sd15-random-lora.safetensors"), []);
        File.WriteAllBytes(Path.Combine(folders.Base, "models", "checkpoints", "sdxl-random.safetensors"), []);
        foreach (var image in Directory.GetFiles(Path.Combine(shared, "oracle", "input")))
        {
            File.Copy(image, Path.Combine(folders.Input, Path.GetFileName(image)));
        }
        using var runner = new WorkflowRunner(samplerSupported: _ => true);
        var files = Directory.GetFiles(cases, "*.json").Concat(Directory.GetFiles(Path.Combine(shared, "oracle", "lora"), "*.json")).Concat(Directory.GetFiles(Path.Combine(shared, "oracle", "sdxl"), "*.json")).ToArray();
        Assert.NotEmpty(files);
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("sdxl-", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var result = runner.Validate(File.ReadAllText(file), folders.Options);
            Assert.True(result.IsValid, $"{Path.GetFileName(file)}: {result.ConsoleText()}");
            Assert.Empty(result.Warnings);
        }
    }
}
