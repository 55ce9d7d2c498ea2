using System.CommandLine;
using SdNative.Server;

namespace SdNative.Cli;

/// <summary>
/// `sdnative serve`: the ComfyUI-compatible HTTP/WebSocket server. The switches are the server's
/// configuration keys (appsettings.json and SDNATIVE_Server__* set the same ones). Unsafe or
/// unusable options exit 2 with the reason; SIGTERM/SIGINT stop it cleanly with exit 0.
/// </summary>
public static class ServeCommand
{
    public const string Name = "serve";

    public static Command Create(CliConsole console)
    {
        var switches = new List<Option<string?>>
        {
            new("--listen") { Description = "Address to listen on (default 127.0.0.1; another needs --api-key or --insecure)." },
            new("--port") { Description = "TCP port (default 8188)." },
            new("--base") { Description = "Base folder: models/, input/, output/, temp/ and the queue database (default: current folder)." },
            new("--models") { Description = "Models folder (default <base>/models)." },
            new("--input") { Description = "Input folder (default <base>/input)." },
            new("--output") { Description = "Output folder (default <base>/output)." },
            new("--front-end-root") { Description = "A ComfyUI front-end build to serve at /." },
            new("--api-key") { Description = "Key every request must carry (Authorization: Bearer KEY or ?token=KEY)." },
            new("--threads") { Description = "Engine threads (0 = physical cores)." },
            new("--preview-method") { Description = "Sampler previews when a prompt does not ask: none (default), auto or latent2rgb." },
            new("--on-shutdown") { Description = "On SIGTERM: cancel (default; the running prompt stays queued) or finish it first." },
        };
        var insecure = new Option<bool>("--insecure") { Description = "Serve off loopback without an API key." };
        var cpu = CpuOption.Create();
        var command = new Command(Name, "Serve the ComfyUI HTTP and WebSocket API (queue, history, /ws events).") { insecure, cpu };
        foreach (var option in switches)
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, token) =>
        {
            if (!CpuOption.TryParse(parse.GetValue(cpu), out var variant))
            {
                console.Error.WriteLine($"sdnative: --cpu takes {CpuOption.Choices}, not '{parse.GetValue(cpu)}'");
                return ExitCodes.Invalid;
            }
            var args = new List<string> { "--cpu", variant.ToString() };
            foreach (var option in switches)
            {
                if (parse.GetValue(option) is { } value)
                {
                    args.AddRange([option.Name, value]);
                }
            }
            if (parse.GetValue(insecure))
            {
                args.AddRange(["--insecure", "true"]);
            }
            return await ServeAsync(console, [.. args], token);
        });
        return command;
    }

    private static async Task<int> ServeAsync(CliConsole console, string[] args, CancellationToken token)
    {
        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = ServerApp.Build(args);
        }
        catch (ServerConfigurationException e)
        {
            console.Error.WriteLine($"sdnative: {e.Message}");
            return ExitCodes.Invalid;
        }
        await using (app)
        {
            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(app, token); // the host's own SIGTERM/SIGINT handling stops it
        }
        return ExitCodes.Success;
    }
}
