namespace SdNative.Cli.Tests;

/// <summary>Runs the CLI in-process with captured output.</summary>
internal static class CliRun
{
    public static async Task<(int Code, string Out, string Err)> InProcess(CancellationToken token, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = await CliApp.RunAsync(args, o, e, token);
        return (code, o.ToString(), e.ToString());
    }

    public static Task<(int Code, string Out, string Err)> InProcess(params string[] args) => InProcess(CancellationToken.None, args);

    /// <summary>No .NET stack trace lines in a user-facing message.</summary>
    public static void AssertNoStackTrace(string text)
    {
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain("Exception:", text.Replace("EntryPointNotFoundException", ""));
    }
}
