using System.Diagnostics;

namespace SdNative.Cli.Tests.Fidelity;

/// <summary>Runs the built `sdnative` command (SdNative.Cli.dll beside the tests) as a subprocess.</summary>
public static class CliProcess
{
    public static (int ExitCode, string Stdout, string Stderr) Run(IDictionary<string, string>? environment, params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "SdNative.Cli.dll");
        Assert.True(File.Exists(cli), "SdNative.Cli.dll not beside the tests: " + cli);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(cli);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        if (environment != null)
        {
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
        }
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
