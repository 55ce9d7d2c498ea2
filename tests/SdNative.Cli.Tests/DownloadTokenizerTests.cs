using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SdNative.Cli.Tests;

/// <summary>download-tokenizer against a local HTTP server serving small stand-in files.</summary>
public sealed class DownloadTokenizerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-dl-").FullName;
    private readonly HttpListener _listener = new();
    private readonly string _url;
    private readonly Dictionary<string, string> _files = new()
    {
        ["/clip/vocab.json"] = "{\"a</w>\": 0}",
        ["/clip/merges.txt"] = "#version: 0.2\na b\n",
    };

    public DownloadTokenizerTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_url);
        _listener.Start();
        _ = Task.Run(Serve);
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception)
            {
                return;
            }
            if (_files.TryGetValue(context.Request.Url!.AbsolutePath, out var body))
            {
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task DownloadsBothFilesIntoTokenizers()
    {
        var models = Path.Combine(_dir, "models");
        var (code, stdout, stderr) = await CliRun.InProcess("download-tokenizer", "--models", models, "--base-url", _url + "clip/");
        Assert.True(code == 0, stderr);
        Assert.Equal(_files["/clip/vocab.json"], File.ReadAllText(Path.Combine(models, "tokenizers", "vocab.json")));
        Assert.Equal(_files["/clip/merges.txt"], File.ReadAllText(Path.Combine(models, "tokenizers", "merges.txt")));
        Assert.Contains("merges.txt", stdout);
    }

    [Fact]
    public async Task AMissingFileFailsWithTheUrlAndLeavesNoPartialFile()
    {
        var models = Path.Combine(_dir, "models");
        var (code, _, stderr) = await CliRun.InProcess("download-tokenizer", "--models", models, "--base-url", _url + "elsewhere/");
        Assert.Equal(1, code);
        Assert.Contains("404", stderr);
        Assert.Contains("elsewhere/vocab.json", stderr);
        CliRun.AssertNoStackTrace(stderr);
        Assert.Empty(Directory.GetFiles(Path.Combine(models, "tokenizers")));
    }

    [Fact]
    public async Task ABadUrlIsAnInvocationError()
    {
        var (code, _, stderr) = await CliRun.InProcess("download-tokenizer", "--models", _dir, "--base-url", "ftp://x/");
        Assert.Equal(2, code);
        Assert.Contains("ftp://x/", stderr);
    }
}
