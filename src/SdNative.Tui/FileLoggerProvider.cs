using Microsoft.Extensions.Logging;

namespace SdNative.Tui;

/// <summary>Logs to a file: the screen belongs to the UI, so nothing may write to the console.</summary>
public sealed class FileLoggerProvider(string path) : ILoggerProvider
{
    private readonly object _lock = new();
    private readonly StreamWriter _writer = Open(path);

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose() => _writer.Dispose();

    private static StreamWriter Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new StreamWriter(path, append: true) { AutoFlush = true };
    }

    private void Write(string line)
    {
        lock (_lock)
        {
            _writer.WriteLine(line);
        }
    }

    private sealed class FileLogger(FileLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write($"{DateTime.UtcNow:O} {logLevel} {category}: {formatter(state, exception)}" + (exception is null ? "" : $"\n{exception}"));
            }
        }
    }
}
