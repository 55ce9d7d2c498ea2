using System.CommandLine;
using SdNative.Tui;
using SdNative.Workflow;

namespace SdNative.Cli;

/// <summary>`sdnative tui [WORKFLOW.json|IMAGE.png]`: the terminal UI (docs/tui.md).</summary>
public static class TuiCommand
{
    public static Command Create(CliConsole console)
    {
        var document = new Argument<string?>("workflow") { Description = "An API-format workflow or a PNG carrying one (default: the seed guide's img2img workflow).", Arity = ArgumentArity.ZeroOrOne };
        var baseDir = new Option<string?>("--base") { Description = "Base folder holding models/, input/ and output/." };
        var models = new Option<string?>("--models") { Description = "Models folder (default <base>/models)." };
        var input = new Option<string?>("--input") { Description = "Input folder the image picker lists (default <base>/input)." };
        var output = new Option<string?>("--output") { Description = "Output folder, and the history's (default <base>/output)." };
        var threads = new Option<int>("--threads") { Description = "Engine threads (0 = physical cores).", DefaultValueFactory = _ => 0 };
        var server = new Option<string?>("--server") { Description = "Drive a running `sdnative serve` or ComfyUI at this URL instead of the local engine." };
        var device = DeviceOption.Create();
        var command = new Command("tui", "Terminal UI: img2img sessions with live previews.") { document, baseDir, models, input, output, threads, device, server };
        command.SetAction(async (parse, token) =>
        {
            var chosen = DeviceOption.Resolve(parse.GetValue(device), out var deviceError);
            Uri? serverUri = null;
            string? serverText = parse.GetValue(server);
            if (chosen == null || parse.GetValue(threads) < 0 ||
                (serverText is not null && !(Uri.TryCreate(serverText, UriKind.Absolute, out serverUri) && serverUri.Scheme is "http" or "https")))
            {
                console.Error.WriteLine($"sdnative: {deviceError ?? (parse.GetValue(threads) < 0 ? "--threads must be 0 or more" : $"--server takes an http(s) URL, not '{serverText}'")}");
                return ExitCodes.Invalid;
            }
            var paths = CliPaths.Resolve(parse.GetValue(baseDir), parse.GetValue(models), parse.GetValue(input), parse.GetValue(output));
            var run = new RunOptions(paths.Base, paths.Models, paths.Input, paths.Output, parse.GetValue(threads), Device: chosen);
            string? path = parse.GetValue(document);
            var options = new TuiOptions(path is null ? null : Path.GetFullPath(path), run, serverUri);
            return await CliApp.Guard(console, async () =>
            {
                try
                {
                    return await TuiApp.RunAsync(options, token);
                }
                catch (InvalidDataException e)
                {
                    // The file is there but is no workflow: the user's to fix, like a bad --set.
                    throw new UserError(e.Message);
                }
            }, token);
        });
        return command;
    }
}
