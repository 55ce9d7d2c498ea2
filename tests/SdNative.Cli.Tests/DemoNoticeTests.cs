using SdNative.Cli.Tests.Fidelity;

namespace SdNative.Cli.Tests;

/// <summary>`sdnative demo` on its own random-weight model says the picture is noise and how to
/// bring a real checkpoint; on any other checkpoint it says nothing of the kind.</summary>
public sealed class DemoNoticeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-demo-notice-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task TheDemoOnItsTestModelSaysTheImageIsNoiseAndHowToBringACheckpoint()
    {
        SharedFolder.Require();
        var (code, _, err) = await CliRun.InProcess("demo", "--base", _dir, "--threads", "2");
        Assert.True(code == 0, err);
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "output"), "*.png"));
        string notice = err[err.IndexOf("demo: the saved image is noise", StringComparison.Ordinal)..];
        Assert.Contains("random weights", notice);
        Assert.Contains(Path.Combine(_dir, "models", "checkpoints"), notice);
        Assert.Contains($"remove {MakeTestModelCommand.DefaultFileName}", notice);
        Assert.Contains("\"Bringing a real checkpoint and tokenizer\" in README.md", notice);
        Assert.Contains("## Bringing a real checkpoint and tokenizer", File.ReadAllText(Path.Combine(SharedFolder.RepoRoot, "README.md")));
    }

    [SkippableFact]
    public async Task TheDemoOnAnotherCheckpointMakesNoNoiseClaim()
    {
        SharedFolder.Require();
        string checkpoints = Path.Combine(_dir, "models", "checkpoints");
        await MakeTestModelCommand.WriteAsync(Path.Combine(checkpoints, "my-model.safetensors"), "f16", 0, CancellationToken.None);
        var (code, _, err) = await CliRun.InProcess("demo", "--base", _dir, "--threads", "2");
        Assert.True(code == 0, err);
        Assert.DoesNotContain("noise", err);
        Assert.False(File.Exists(Path.Combine(checkpoints, MakeTestModelCommand.DefaultFileName)));
    }
}
