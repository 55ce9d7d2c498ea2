using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SdNative.Server;

/// <summary>
/// Builds the `sdnative serve` host: configuration from appsettings.json, SDNATIVE_ environment
/// variables and the command line; Kestrel on the configured address; every route group mapped
/// twice, at the root and under /api, as ComfyUI registers them.
/// </summary>
public static class ServerApp
{
    /// <summary>Command-line switches and the configuration keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--listen"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Listen)}",
        ["--port"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Port)}",
        ["--api-key"] = $"{ServerOptions.Section}:{nameof(ServerOptions.ApiKey)}",
        ["--insecure"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Insecure)}",
        ["--base"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Base)}",
        ["--models"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Models)}",
        ["--input"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Input)}",
        ["--output"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Output)}",
        ["--front-end-root"] = $"{ServerOptions.Section}:{nameof(ServerOptions.FrontEndRoot)}",
        ["--threads"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Threads)}",
        ["--cpu"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Cpu)}",
        ["--device"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Device)}",
        ["--preview-method"] = $"{ServerOptions.Section}:{nameof(ServerOptions.PreviewMethod)}",
        ["--on-shutdown"] = $"{ServerOptions.Section}:{nameof(ServerOptions.OnShutdown)}",
        ["--max-upload-size"] = $"{ServerOptions.Section}:{nameof(ServerOptions.MaxUploadSize)}",
        ["--max-json-size"] = $"{ServerOptions.Section}:{nameof(ServerOptions.MaxJsonSize)}",
        ["--enable-cors-header"] = $"{ServerOptions.Section}:{nameof(ServerOptions.EnableCorsHeader)}",
        ["--memory-budget"] = $"{ServerOptions.Section}:{nameof(ServerOptions.MemoryBudget)}",
    };

    /// <summary>
    /// The configured application, not yet started. <paramref name="configure"/> lets tests (and the
    /// CLI) adjust the builder, e.g. swap Kestrel for an in-memory test server.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddEnvironmentVariables("SDNATIVE_");
        builder.Configuration.AddCommandLine(args, (IDictionary<string, string>)SwitchMappings);
        builder.Host.UseSystemd();

        ServerOptions options;
        try
        {
            options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key and the value it could not convert (--port eighty).
            throw new ServerConfigurationException(e.Message);
        }
        if (options.Problem() is { } problem)
        {
            throw new ServerConfigurationException(problem);
        }
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.RunOptions().Folders());
        builder.Services.AddSingleton<ServerFolders>();
        builder.Services.AddSingleton<SettingsStore>();
        AddExecution(builder.Services, options);
        builder.WebHost.UseUrls(); // the address comes from ServerOptions only
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(ListenAddress(options.Listen), options.Port));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseServerMiddleware();
        app.UseFrontEnd(options);
        app.UseWebSockets();
        foreach (var prefix in new[] { "", "/api" })
        {
            MapRoutes(app.MapGroup(prefix));
        }
        return app;
    }

    /// <summary>Every feature's routes; each group lives in its own Map&lt;Feature&gt; file.</summary>
    private static void MapRoutes(IEndpointRouteBuilder routes)
    {
        routes.MapFeatures();
        routes.MapView();
        routes.MapUpload();
        routes.MapModels();
        routes.MapSystem();
        routes.MapFrontEndInfo();
        routes.MapSettings();
        routes.MapUserData();
        routes.MapPrompt();
        routes.MapQueue();
        routes.MapHistory();
        routes.MapWebSocket();
        routes.MapJobs();
    }

    /// <summary>The durable queue, the WebSocket clients and the one execution worker.</summary>
    private static void AddExecution(IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(_ => new PromptStore(Path.Combine(options.RunOptions().ResolvedBase, PromptStore.FileName)));
        services.AddSingleton<WebSocketHub>();
        services.AddSingleton(sp =>
        {
            var hub = sp.GetRequiredService<WebSocketHub>();
            var queue = new PromptQueue(sp.GetRequiredService<PromptStore>(), ExecutionWorker.FailedAfterRestart);
            queue.Changed += remaining => hub.Send(null, "status", new System.Text.Json.Nodes.JsonObject { ["status"] = WebSocketRoutes.Status(remaining) });
            return queue;
        });
        services.AddSingleton<PromptValidator>();
        services.AddSingleton<ExecutionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ExecutionWorker>());
        services.AddSingleton<IMemoryRelease>(sp => sp.GetRequiredService<ExecutionWorker>());
        // Finishing the running prompt on SIGTERM may take as long as the prompt does.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = options.FinishOnShutdown ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(30));
    }

    private static System.Net.IPAddress ListenAddress(string listen) =>
        listen == "localhost" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.Parse(listen);
}
