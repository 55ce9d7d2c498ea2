using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SdNative.Cli.Tests.Fidelity;

namespace SdNative.Cli.Tests;

/// <summary>The CLI as a separate process: exit codes, JSON on stdout, and SIGTERM/SIGINT.</summary>
public sealed class SubprocessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-proc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AMissingWorkflowExits2WithAJsonErrorBody()
    {
        var (code, stdout, stderr) = CliProcess.Run(null, "run", Path.Combine(_dir, "none.json"), "--base", _dir, "--json");
        Assert.Equal(2, code);
        Assert.NotNull(JsonNode.Parse(stdout.Trim())!["error"]);
        CliRun.AssertNoStackTrace(stderr);
    }

    [Fact]
    public void AnUnknownCommandExits2()
    {
        var (code, _, stderr) = CliProcess.Run(null, "frobnicate");
        Assert.Equal(2, code);
        CliRun.AssertNoStackTrace(stderr);
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public async Task ASignalCancelsCleanlyWithItsExitCode(string signal, int expected)
    {
        // A server that accepts the download request and never answers keeps the CLI busy
        // until the signal; the request's arrival (not a clock) tells the test when to send it.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // Through env --default-signal (which execs dotnet, keeping the process id): a test run
        // started in the background by a shell without job control inherits SIGINT ignored,
        // and a user's terminal never gives the CLI that.
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "SdNative.Cli.dll"), "download-tokenizer", "--models", _dir, "--base-url", $"http://127.0.0.1:{port}/" })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var client = await listener.AcceptTcpClientAsync();
        using (var kill = Process.Start("kill", $"-{signal} {process.Id}"))
        {
            kill.WaitForExit();
        }
        process.WaitForExit();
        listener.Stop();
        Assert.Equal(expected, process.ExitCode);
        CliRun.AssertNoStackTrace(await stderr + await stdout);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "tokenizers")));
    }
}
