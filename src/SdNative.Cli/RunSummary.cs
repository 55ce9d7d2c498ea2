using System.Globalization;
using System.Text.Json.Nodes;

namespace SdNative.Cli;

/// <summary>What `sdnative run` reports at the end: wall time, seconds per sampler step, peak
/// memory (VmHWM) and the files written.</summary>
public sealed record RunSummary(double WallSeconds, int SamplerSteps, double SamplingSeconds, long PeakMemoryBytes, IReadOnlyList<string> Files)
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
