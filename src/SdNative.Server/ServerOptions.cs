using System.Net;
using SdNative.Workflow;

namespace SdNative.Server;

/// <summary>
/// Settings of `sdnative serve`, bound from the "Server" section of appsettings.json,
/// SDNATIVE_-prefixed environment variables (SDNATIVE_Server__Port) and the command line.
/// </summary>
public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>Address to listen on; loopback unless the user says otherwise.</summary>
    public string Listen { get; set; } = "127.0.0.1";

    /// <summary>ComfyUI's default port.</summary>
    public int Port { get; set; } = 8188;

    /// <summary>Bearer token (or ?token=) every request must carry; required off loopback unless Insecure.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Explicitly allows listening off loopback without an API key.</summary>
    public bool Insecure { get; set; }

    /// <summary>Holds models/, input/, output/, temp/ and the server's database; default: the current folder.</summary>
    public string? Base { get; set; }

    /// <summary>Overrides Base/models.</summary>
    public string? Models { get; set; }

    /// <summary>Overrides Base/input.</summary>
    public string? Input { get; set; }

    /// <summary>Overrides Base/output.</summary>
    public string? Output { get; set; }

    /// <summary>A ComfyUI front-end build served at / (ComfyUI's --front-end-root); none when null.</summary>
    public string? FrontEndRoot { get; set; }

    /// <summary>Engine threads (0 = physical cores).</summary>
    public int Threads { get; set; }

    /// <summary>The engine's CPU kernels.</summary>
    public CpuVariant Cpu { get; set; } = CpuVariant.Auto;

    /// <summary>Where the engine computes: auto, cpu, vulkan or vulkan:N (the CLI's --device).</summary>
    public string Device { get; set; } = "cpu";

    /// <summary><see cref="Device"/> parsed; the CPU when it does not parse (Problem names that).</summary>
    public ComputeDevice EngineDevice => ComputeDevice.TryParse(Device, out var device) ? device.Value : SdNative.ComputeDevice.Cpu;

    /// <summary>Sampler previews for prompts whose extra_data.preview_method is absent or "default":
    /// "none" (ComfyUI's default), "auto"/"latent2rgb" (the latent→RGB projection, each step) or "taesd"
    /// (the TAESD decoder from models/vae_approx, the projection when it is missing).</summary>
    public string PreviewMethod { get; set; } = "none";

    /// <summary>A cap on the engine's memory as the CLI's --memory-budget takes it ("6G"; null or
    /// "0": none); see <see cref="SdnEngineOptions.MemoryBudgetBytes"/>.</summary>
    public string? MemoryBudget { get; set; }

    /// <summary><see cref="MemoryBudget"/> in bytes; 0 when unset or when it does not parse (Problem names that).</summary>
    public long MemoryBudgetBytes => ByteSize.TryParse(MemoryBudget ?? "0", out long bytes, out _) ? bytes : 0;

    /// <summary>On SIGTERM: "cancel" stops the running prompt at its next step and keeps it queued
    /// for the next start; "finish" lets it complete first.</summary>
    public string OnShutdown { get; set; } = "cancel";

    public bool FinishOnShutdown => OnShutdown == "finish";

    /// <summary>Messages a WebSocket client may have waiting; one more drops it.</summary>
    public int WebSocketQueue { get; set; } = 1024;

    /// <summary>Seconds one WebSocket send may take before the client is dropped.</summary>
    public double WebSocketSendTimeoutSeconds { get; set; } = 10;

    /// <summary>Largest upload in megabytes (ComfyUI's --max-upload-size; the same default).</summary>
    public double MaxUploadSize { get; set; } = 100;

    /// <summary>Largest JSON request body in megabytes: a prompt with its UI workflow is far smaller.</summary>
    public double MaxJsonSize { get; set; } = 32;

    /// <summary>An origin (or "*") allowed cross-origin: adds Access-Control-Allow-* headers and turns
    /// off the loopback origin check (ComfyUI's --enable-cors-header). Null: no CORS, origin check on.</summary>
    public string? EnableCorsHeader { get; set; }

    public long MaxUploadBytes => Megabytes(MaxUploadSize);

    public long MaxJsonBytes => Megabytes(MaxJsonSize);

    private static long Megabytes(double megabytes) => (long)Math.Round(megabytes * 1024 * 1024);

    /// <summary>The workflow runner's options for these folders (the CLI's run uses the same record).</summary>
    public RunOptions RunOptions() => new(BaseDir: Base, ModelsDir: Models, InputDir: Input, OutputDir: Output, Threads: Threads, CpuVariant: Cpu, Device: EngineDevice, MemoryBudgetBytes: MemoryBudgetBytes);

    /// <summary>
    /// The reason these options are unsafe or unusable, or null when they are fine: a non-loopback
    /// address needs an API key or an explicit Insecure.
    /// </summary>
    public string? Problem()
    {
        if (Port is < 0 or > 65535)
        {
            return $"--port {Port} is not a TCP port (0..65535)";
        }
        if (PreviewMethod is not ("none" or "auto" or "latent2rgb" or "taesd"))
        {
            return $"--preview-method takes none, auto, latent2rgb or taesd, not '{PreviewMethod}'";
        }
        if (OnShutdown is not ("cancel" or "finish"))
        {
            return $"--on-shutdown takes cancel or finish, not '{OnShutdown}'";
        }
        if (WebSocketQueue < 1 || WebSocketSendTimeoutSeconds <= 0)
        {
            return "the WebSocket send queue needs at least one slot and a positive send timeout";
        }
        if (Threads < 0)
        {
            return "--threads must be 0 or more";
        }
        if (MaxUploadSize <= 0 || MaxJsonSize <= 0)
        {
            return $"--max-upload-size ({MaxUploadSize}) and --max-json-size ({MaxJsonSize}) must be positive megabytes";
        }
        if (!ByteSize.TryParse(MemoryBudget ?? "0", out _, out string? budgetError))
        {
            return $"--memory-budget: {budgetError}";
        }
        if (DeviceProblem() is { } device)
        {
            return device;
        }
        if (!IsLoopback(Listen) && string.IsNullOrEmpty(ApiKey) && !Insecure)
        {
            return $"listening on {Listen} (not loopback) needs --api-key KEY, or --insecure to serve without one";
        }
        return null;
    }

    /// <summary>An unknown spelling, or a Vulkan device this machine does not have (naming those it has).</summary>
    private string? DeviceProblem()
    {
        if (!ComputeDevice.TryParse(Device, out var device))
        {
            return $"--device takes {SdNative.ComputeDevice.Spellings}, not '{Device}'";
        }
        if (device.Value.Kind != ComputeDeviceKind.Vulkan)
        {
            return null;
        }
        var gpus = GpuDevice.List();
        if (device.Value.Index < gpus.Count)
        {
            return null;
        }
        var names = gpus.Count == 0 ? "no Vulkan devices" : string.Join("; ", gpus);
        return $"--device: there is no {device.Value}; there are cpu and {names}";
    }

    private static bool IsLoopback(string address) =>
        address == "localhost" || (IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip));
}
