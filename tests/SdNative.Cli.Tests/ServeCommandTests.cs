namespace SdNative.Cli.Tests;

/// <summary>`sdnative serve` refuses unsafe or unusable options with exit 2 and the reason, before listening.</summary>
public class ServeCommandTests
{
    [Theory]
    [InlineData("--api-key", "--listen", "0.0.0.0")]
    [InlineData("70000", "--port", "70000")]
    [InlineData("--cpu", "--cpu", "z80")]
    [InlineData("--preview-method", "--preview-method", "taesd")]
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
        Assert.Contains("--on-shutdown", output);
        Assert.Contains("--preview-method", output);
    }
}
