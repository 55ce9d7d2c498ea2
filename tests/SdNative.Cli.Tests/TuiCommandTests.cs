namespace SdNative.Cli.Tests;

/// <summary>`sdnative tui` refuses what it cannot open before the screen is taken over: one
/// message on stderr and ComfyUI-style exit codes (2 for the user's input, 1 for the rest).</summary>
public class TuiCommandTests
{
    /// <summary>A base folder of its own, so the session's log lands there and not in the checkout.</summary>
    private static readonly string Base = Directory.CreateTempSubdirectory("sdn-tui-cli-").FullName;

    [Fact]
    public async Task AMissingWorkflowIsAnInvocationError()
    {
        var (code, _, err) = await CliRun.InProcess("tui", "/no/such/workflow.json", "--base", Base);
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("no such workflow or image: /no/such/workflow.json", err);
    }

    [Fact]
    public async Task AFileThatIsNoWorkflowIsAnInvocationErrorWithoutAStackTrace()
    {
        string file = Path.Combine(Base, "broken.json");
        await File.WriteAllTextAsync(file, "{\"a\":");
        var (code, _, err) = await CliRun.InProcess("tui", file, "--base", Base);
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("broken.json: invalid prompt: Invalid JSON", err);
        CliRun.AssertNoStackTrace(err);
    }

    [Theory]
    [InlineData("ftp://example.org")]
    [InlineData("not a url")]
    public async Task TheServerMustBeAnHttpUrl(string server)
    {
        var (code, _, err) = await CliRun.InProcess("tui", "--server", server, "--base", Base);
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains($"--server takes an http(s) URL, not '{server}'", err);
    }

    [Fact]
    public async Task AnUnreachableServerIsARuntimeFailure()
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        var (code, _, err) = await CliRun.InProcess("tui", "--server", "http://127.0.0.1:1", "--base", Base);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("127.0.0.1:1", err);
        CliRun.AssertNoStackTrace(err);
    }
}
