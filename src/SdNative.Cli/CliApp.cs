using System.CommandLine;
using System.Runtime.InteropServices;

namespace SdNative.Cli;

/// <summary>Builds the `sdnative` command tree and runs it.</summary>
public static class CliApp
{
    /// <summary>Runs the command line. Writers default to the process console; tests pass their own.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var console = output is null && error is null
            ? CliConsole.System()
            : new CliConsole(output ?? TextWriter.Null, error ?? TextWriter.Null, isTerminal: false);
        var root = new RootCommand("SdNative: Stable Diffusion image-to-image from ComfyUI workflows, on a native engine.");
        root.Subcommands.Add(RunCommand.Create(console));
        root.Subcommands.Add(InfoCommand.Create(console));
        root.Subcommands.Add(ConvertCommand.Create(console));
        root.Subcommands.Add(MakeTestModelCommand.Create(console));
        root.Subcommands.Add(DownloadTokenizerCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        root.Subcommands.Add(SystemCommand.Create(console));
        root.Subcommands.Add(ServeCommand.Create(console));
        root.Subcommands.Add(TuiCommand.Create(console));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                console.Error.WriteLine($"sdnative: {e.Message}");
            }
            console.Error.WriteLine("Run 'sdnative --help' for usage.");
            return ExitCodes.Invalid;
        }

        // SIGINT / SIGTERM cancel the running command cleanly; the exit code says which came.
        using var signals = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(signals.Token, cancellationToken);
        int signalExit = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            Interlocked.CompareExchange(ref signalExit, context.Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted, 0);
            signals.Cancel();
        }
        // `serve` is a host: a signal asks it to stop (exit 0), which its own lifetime handles.
        bool handlesSignals = output is null && parse.CommandResult.Command.Name != ServeCommand.Name;
        using var sigint = handlesSignals ? PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal) : null;
        using var sigterm = handlesSignals ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal) : null;

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        int code;
        try
        {
            code = await parse.InvokeAsync(invocation, linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            console.Error.WriteLine("sdnative: cancelled");
            code = ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            var (exit, message) = UserError.Describe(e);
            console.Error.WriteLine($"sdnative: {message}");
            code = exit;
        }
        return signalExit != 0 ? signalExit : code;
    }

    /// <summary>Runs a command body, turning its exceptions into a message and an exit code.</summary>
    internal static async Task<int> Guard(CliConsole console, Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine("sdnative: cancelled");
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            var (code, message) = UserError.Describe(e);
            console.Error.WriteLine($"sdnative: {message}");
            return code;
        }
    }
}
