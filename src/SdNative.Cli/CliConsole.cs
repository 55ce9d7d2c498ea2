namespace SdNative.Cli;

/// <summary>Where a command writes: the process console, or writers a test supplies.</summary>
public sealed class CliConsole(TextWriter output, TextWriter error, bool isTerminal)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>True when stdout is an interactive terminal: live progress bars instead of lines.</summary>
    public bool IsTerminal { get; } = isTerminal;

    public static CliConsole System() => new(Console.Out, Console.Error, !Console.IsOutputRedirected);
}
