using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace SdNative.Server.Tests;

/// <summary>The real application on an in-memory test server (no socket).</summary>
internal static class TestServers
{
    public static async Task<(WebApplication App, HttpClient Client)> StartAsync(params string[] args)
    {
        // Each server gets its own base folder (its queue database lives there) unless the test names one.
        if (!args.Contains("--base"))
        {
            args = [.. args, "--base", Directory.CreateTempSubdirectory("sdn-server-").FullName];
        }
        var app = ServerApp.Build(args, builder => builder.WebHost.UseTestServer());
        await app.StartAsync();
        return (app, app.GetTestClient());
    }
}
