using Microsoft.Extensions.Logging;

namespace SdNative.Cli;

/// <summary>Engine log lines as "sdnative [level] message" on a writer (stderr).</summary>
public sealed class CliLoggerProvider(TextWriter writer) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(writer);

    public void Dispose()
    {
    }

    private sealed class Logger(TextWriter writer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            lock (writer)
            {
                writer.WriteLine($"sdnative [{logLevel.ToString().ToLowerInvariant()}] {formatter(state, exception)}");
            }
        }
    }
}
