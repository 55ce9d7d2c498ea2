using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SdNative.Server.Tests;

/// <summary>`sdnative serve` as a separate process on a free loopback port, for kill and restart tests.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly Task<string> _stdout;

    private ServeProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _stderr = process.StandardError.ReadToEndAsync();
        _stdout = process.StandardOutput.ReadToEndAsync();
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public int Port { get; }
    public Uri Address => new($"http://127.0.0.1:{Port}/");
    public HttpClient Http { get; }
    public int Id => _process.Id;

    /// <summary>Starts the server and returns once GET /prompt answers (the guard fails a server that never does).</summary>
    public static async Task<ServeProcess> StartAsync(string baseDir, int? port = null, params string[] args)
    {
        int chosen = port ?? FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "SdNative.Cli.dll"), "serve", "--port", chosen.ToString(), "--base", baseDir, "--threads", "2" }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }
        var server = new ServeProcess(Process.Start(psi)!, chosen);
        var guard = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await server.Http.GetAsync("prompt");
                if (response.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (server._process.HasExited || guard.Elapsed > WsTestClient.Guard)
            {
                server.Dispose();
                throw new InvalidOperationException($"sdnative serve did not come up: {await server._stderr}");
            }
            await Task.Delay(100);
        }
    }

    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Sends SIGTERM and returns the exit code and everything the server printed.</summary>
    public async Task<(int Code, string Output)> TerminateAsync()
    {
        using (var kill = Process.Start("kill", $"-TERM {_process.Id}"))
        {
            await kill.WaitForExitAsync();
        }
        using var guard = new CancellationTokenSource(WsTestClient.Guard);
        await _process.WaitForExitAsync(guard.Token);
        return (_process.ExitCode, await _stdout + await _stderr);
    }

    public void Dispose()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
