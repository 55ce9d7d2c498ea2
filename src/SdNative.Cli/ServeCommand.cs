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

    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["--listen"] = "Address to listen on (default 127.0.0.1; another needs --api-key or --insecure).",
        ["--port"] = "TCP port (default 8188).",
        ["--base"] = "Base folder: models/, input/, output/, temp/ and the queue database (default: current folder).",
        ["--models"] = "Models folder (default <base>/models).",
        ["--input"] = "Input folder (default <base>/input).",
        ["--output"] = "Output folder (default <base>/output).",
        ["--front-end-root"] = "A ComfyUI front-end build to serve at /.",
        ["--api-key"] = "Key every request must carry (Authorization: Bearer KEY or ?token=KEY).",
        ["--threads"] = "Engine threads (0 = physical cores).",
        ["--device"] = "Compute device: auto, cpu (default), vulkan or vulkan:N (`sdnative system` lists them).",
        ["--preview-method"] = "Sampler previews when a prompt does not ask: none (default), auto or latent2rgb (the latent→RGB projection), or taesd (models/vae_approx/taesd_decoder.*).",
        ["--on-shutdown"] = "On SIGTERM: cancel (default; the running prompt stays queued) or finish it first.",
        ["--max-upload-size"] = "Largest upload in MiB (default 100).",
        ["--max-json-size"] = "Largest JSON request body in MiB (default 32).",
        ["--enable-cors-header"] = "Allow cross-origin calls from this origin (* for any).",
        ["--memory-budget"] = MemoryBudgetOption.Description,
    };

    public static Command Create(CliConsole console)
    {
        // Every switch the server reads (ServerApp.SwitchMappings), so a new server option needs no change here.
        var switches = ServerApp.SwitchMappings.Keys
            .Where(name => name is not ("--insecure" or "--cpu"))
            .Select(name => new Option<string?>(name) { Description = Descriptions.GetValueOrDefault(name, $"Sets {ServerApp.SwitchMappings[name]}.") })
            .ToList();
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
