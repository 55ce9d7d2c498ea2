using Microsoft.AspNetCore.Builder;

namespace SdNative.Server.Tests;

/// <summary>One server shared by every test of a class whose requests change nothing on disk, so
/// a table of cases costs one start-up instead of one each.</summary>
public abstract class SharedServer(params string[] args) : IAsyncLifetime
{
    private WebApplication? app;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => (app, Client) = await TestServers.StartAsync(args);

    public async Task DisposeAsync() => await app!.DisposeAsync();
}

/// <summary>A server with the defaults: no key, no CORS.</summary>
public sealed class DefaultServer() : SharedServer();

/// <summary>A server that requires the API key "s3cret".</summary>
public sealed class KeyedServer() : SharedServer("--api-key", "s3cret");
