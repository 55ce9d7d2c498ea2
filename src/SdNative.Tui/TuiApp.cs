using Microsoft.Extensions.Logging;
using SdNative.Tui.Engine;
using Terminal.Gui.App;

namespace SdNative.Tui;

/// <summary>Starts the terminal UI: picks the backend (local engine or server), loads the
/// workflow, runs the main window until Ctrl+Q, and returns the exit code.</summary>
public static class TuiApp
{
    public static async Task<int> RunAsync(TuiOptions options, CancellationToken cancellationToken)
    {
        using var logging = LoggerFactory.Create(b => b.AddProvider(new FileLoggerProvider(options.ResolvedLogFile)).SetMinimumLevel(LogLevel.Information));
        var logger = logging.CreateLogger("sdnative.tui");
        using var session = await CreateSessionAsync(options, logger, cancellationToken);
        using IApplication app = Application.Create();
        app.Init(options.Driver);
        using var window = new MainWindow(app, session);
        // SIGINT/SIGTERM arrive as cancellation: stop the loop the way Ctrl+Q does.
        using var stop = cancellationToken.Register(() => app.Invoke(window.Quit));
        app.Run(window);
        logger.LogInformation("session ended");
        return 0;
    }

    /// <summary>The session for the options: object_info comes from where runs will happen.</summary>
    public static async Task<TuiSession> CreateSessionAsync(TuiOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        IGenerationBackend backend = options.Server is Uri server
            ? new RemoteBackend(server, options.RunOptions.Folders().OutputDir, logger)
            : new LocalBackend(options.RunOptions, logger);
        try
        {
            var objectInfo = await backend.ObjectInfoAsync(cancellationToken);
            return new TuiSession(options, backend, objectInfo, logger);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }
}
