namespace SdNative.Cli;

/// <summary>Process exit codes of every sdnative command.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A runtime failure: the engine, a file write, a network download.</summary>
    public const int Failure = 1;
    /// <summary>Invalid invocation or an invalid workflow: the user has something to fix.</summary>
    public const int Invalid = 2;
    /// <summary>128 + SIGINT.</summary>
    public const int Interrupted = 130;
    /// <summary>128 + SIGTERM.</summary>
    public const int Terminated = 143;
}
