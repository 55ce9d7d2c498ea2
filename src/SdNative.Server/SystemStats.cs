using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace SdNative.Server;

/// <summary>
/// GET /system_stats in ComfyUI's shape. There is one device, the one the engine computes on: the
/// CPU as ComfyUI describes its CPU device (name and type "cpu", index null, the machine's memory
/// as its "vram"), or a Vulkan GPU (name "vulkan:N name", type "vulkan", index N, and its
/// device-local memory as both total and free: the engine does not read a GPU's free memory). Fields about Python, PyTorch and the front-end package name
/// what this server has instead (the .NET runtime; none). The command line is shown with the
/// API key's value hidden.
/// </summary>
public static class SystemStats
{
    public static JsonObject Build(IReadOnlyList<string> argv, long ramTotal, long ramFree, GpuDevice? gpu = null)
    {
        var system = new JsonObject
        {
            ["os"] = OperatingSystem.IsWindows() ? "nt" : "posix", // Python's os.name, which ComfyUI reports
            ["ram_total"] = ramTotal,
            ["ram_free"] = ramFree,
            ["comfyui_version"] = Version(),
            ["required_frontend_version"] = "",
            ["installed_templates_version"] = "",
            ["required_templates_version"] = "",
            ["python_version"] = RuntimeInformation.FrameworkDescription,
            ["pytorch_version"] = "",
            ["embedded_python"] = false,
            ["argv"] = new JsonArray(Redacted(argv).Select(a => (JsonNode)a).ToArray()),
        };
        var device = gpu is null
            ? Device("cpu", "cpu", null, ramTotal, ramFree)
            : Device($"vulkan:{gpu.Index} {gpu.Name}", "vulkan", gpu.Index, gpu.MemoryBytes, gpu.MemoryBytes);
        return new JsonObject { ["system"] = system, ["devices"] = new JsonArray(device) };
    }

    private static JsonObject Device(string name, string type, int? index, long total, long free) => new()
    {
        ["name"] = name,
        ["type"] = type,
        ["index"] = index,
        ["vram_total"] = total,
        ["vram_free"] = free,
        ["torch_vram_total"] = total,
        ["torch_vram_free"] = free,
    };

    /// <summary>Memory this process may use in total (a container's limit when lower than the
    /// machine's) and what is still free (MemAvailable, or the cgroup's room when tighter).</summary>
    public static (long Total, long Free) Memory()
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long free = SdNative.AvailableMemory.Read().Bytes;
        return (total, Math.Min(free, total));
    }

    /// <summary>The command line with the value of --api-key (either form) replaced.</summary>
    public static IEnumerable<string> Redacted(IReadOnlyList<string> argv)
    {
        for (int i = 0; i < argv.Count; i++)
        {
            string arg = argv[i];
            if (arg.StartsWith("--api-key=", StringComparison.Ordinal))
            {
                yield return "--api-key=<hidden>";
            }
            else if (i > 0 && argv[i - 1] == "--api-key")
            {
                yield return "<hidden>";
            }
            else
            {
                yield return arg;
            }
        }
    }

    private static string Version() =>
        typeof(SystemStats).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
