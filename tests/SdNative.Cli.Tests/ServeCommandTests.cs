namespace SdNative.Cli.Tests;

/// <summary>`sdnative serve` refuses unsafe or unusable options with exit 2 and the reason, before listening.</summary>
public class ServeCommandTests
{
    [Theory]
    [InlineData("--api-key", "--listen", "0.0.0.0")]
    [InlineData("70000", "--port", "70000")]
    [InlineData("--cpu", "--cpu", "z80")]
    [InlineData("--preview-method", "--preview-method", "vae")]
    [InlineData("--on-shutdown", "--on-shutdown", "later")]
    [InlineData("--threads", "--threads", "-1")]
    public async Task BadOptionsExit2NamingTheProblem(string named, string option, string value)
    {
        var (code, _, err) = await CliRun.InProcess("serve", option, value, "--base", Path.GetTempPath());
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains(named, err);
        CliRun.AssertNoStackTrace(err);
    }

    [Fact]
    public async Task ANonNumericPortExits2()
    {
        var (code, _, err) = await CliRun.InProcess("serve", "--port", "eighty", "--base", Path.GetTempPath());
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("eighty", err);
        CliRun.AssertNoStackTrace(err);
    }

    [Fact]
    public async Task ServeIsListedInHelp()
    {
        var (code, output, _) = await CliRun.InProcess("serve", "--help");
        Assert.Equal(0, code);
        Assert.All(SdNative.Server.ServerApp.SwitchMappings.Keys, name => Assert.Contains(name, output));
    }

    [Fact]
    public async Task EveryServerSwitchIsAccepted()
    {
        // A bad --port makes each run stop before listening; any switch serve did not know would be a parse error instead.
        foreach (var name in SdNative.Server.ServerApp.SwitchMappings.Keys.Where(n => n is not ("--port" or "--insecure" or "--cpu")))
        {
            var (code, _, err) = await CliRun.InProcess("serve", name, "x", "--port", "70000", "--base", Path.GetTempPath());
            Assert.Equal(ExitCodes.Invalid, code);
            Assert.DoesNotContain("Unrecognized", err);
        }
    }
}
