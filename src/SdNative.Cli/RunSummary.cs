using System.Globalization;
using System.Text.Json.Nodes;

namespace SdNative.Cli;

/// <summary>What `sdnative run` reports at the end: wall time, seconds per sampler step, peak
/// memory (VmHWM) and the files written.</summary>
public sealed record RunSummary(double WallSeconds, int SamplerSteps, double SamplingSeconds, long PeakMemoryBytes, IReadOnlyList<string> Files,
    double? FirstStepSeconds = null, IReadOnlyList<SdNative.Workflow.NodeTiming>? Nodes = null)
{
    public double? SecondsPerStep => SamplerSteps > 0 ? SamplingSeconds / SamplerSteps : null;

    public JsonObject ToJson() => new()
    {
        ["status"] = "success",
        ["wall_seconds"] = Math.Round(WallSeconds, 3),
        ["sampler_steps"] = SamplerSteps,
        ["seconds_per_step"] = SecondsPerStep is { } s ? Math.Round(s, 4) : null,
        ["peak_memory_bytes"] = PeakMemoryBytes,
        ["files"] = new JsonArray(Files.Select(f => (JsonNode)JsonValue.Create(f)!).ToArray()),
        ["first_step_seconds"] = FirstStepSeconds is { } f ? Math.Round(f, 3) : null,
        ["nodes"] = new JsonArray((Nodes ?? []).Select(n => (JsonNode)new JsonObject
        {
            ["id"] = n.NodeId,
            ["class_type"] = n.ClassType,
            ["seconds"] = Math.Round(n.Seconds, 4),
            ["cached"] = n.Cached,
        }).ToArray()),
    };

    public void Print(TextWriter o)
    {
        var inv = CultureInfo.InvariantCulture;
        string perStep = SecondsPerStep is { } s ? string.Format(inv, ", {0:F3} s/step over {1} steps", s, SamplerSteps) : "";
        o.WriteLine(string.Format(inv, "done in {0:F2} s{1}, peak memory {2:F0} MiB", WallSeconds, perStep, PeakMemoryBytes / (1024.0 * 1024.0)));
        foreach (var f in Files)
        {
            o.WriteLine($"wrote {f}");
        }
    }

    /// <summary>The process's peak resident memory (VmHWM of /proc/self/status), 0 when unknown.</summary>
    public static long PeakResidentBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is null)
            {
                return 0;
            }
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
