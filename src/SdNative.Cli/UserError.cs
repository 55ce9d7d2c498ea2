using SdNative.Imaging;

namespace SdNative.Cli;

/// <summary>An error the user can fix; printed as one message, never with a stack trace.</summary>
public sealed class UserError(string message, int exitCode = ExitCodes.Invalid) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The exit code and one-line message for any exception a command let escape.</summary>
    public static (int Code, string Message) Describe(Exception e) => e switch
    {
        UserError u => (u.ExitCode, u.Message),
        SdNative.Workflow.WorkflowRuntimeException w => (ExitCodes.Failure, w.Message),
        SdnException { Status: EngineStatus.InvalidArgument or EngineStatus.NotFound or EngineStatus.Format or EngineStatus.Unsupported } s => (ExitCodes.Invalid, s.Message),
        SdnException s => (ExitCodes.Failure, s.Message),
        ImageFileException i => (ExitCodes.Invalid, i.Message),
        FileNotFoundException f => (ExitCodes.Invalid, f.Message),
        DirectoryNotFoundException d => (ExitCodes.Invalid, d.Message),
        ArgumentException a => (ExitCodes.Invalid, a.Message),
        UnauthorizedAccessException u => (ExitCodes.Failure, u.Message),
        IOException io => (ExitCodes.Failure, io.Message),
        HttpRequestException h => (ExitCodes.Failure, h.Message),
        EntryPointNotFoundException ep => (ExitCodes.Failure, $"this libsdnative build lacks a function the command needs ({ep.Message})"),
        _ => (ExitCodes.Failure, $"{e.GetType().Name}: {e.Message}"),
    };
}
