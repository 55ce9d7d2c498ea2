using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace SdNative.Server;

/// <summary>
/// GET /system_stats in ComfyUI's shape. The engine runs on the CPU here, so there is one device
/// described as ComfyUI describes its CPU device: name and type "cpu", index null, and the
/// machine's memory as its "vram". Fields about Python, PyTorch and the front-end package name
/// what this server has instead (the .NET runtime; none). The command line is shown with the
/// API key's value hidden.
/// </summary>
public static class SystemStats
{
    public static JsonObject Build(IReadOnlyList<string> argv, long ramTotal, long ramFree)
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
        var cpu = new JsonObject
        {
            ["name"] = "cpu",
            ["type"] = "cpu",
            ["index"] = null,
            ["vram_total"] = ramTotal,
            ["vram_free"] = ramFree,
            ["torch_vram_total"] = ramTotal,
            ["torch_vram_free"] = ramFree,
        };
        return new JsonObject { ["system"] = system, ["devices"] = new JsonArray(cpu) };
    }

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
