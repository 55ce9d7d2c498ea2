using System.Globalization;

namespace SdNative;

/// <summary>
/// How much memory this process can still take: the kernel's MemAvailable, or less when the
/// process sits in a memory cgroup whose limit leaves less room (a container, a systemd slice).
/// </summary>
/// <param name="Bytes">The smaller of the two: what a run may plan to use.</param>
/// <param name="MemAvailableBytes">/proc/meminfo MemAvailable.</param>
/// <param name="CgroupRoomBytes">Limit minus usage of the tightest memory cgroup above this
/// process; null when no cgroup sets a limit.</param>
public sealed record AvailableMemory(long Bytes, long MemAvailableBytes, long? CgroupRoomBytes)
{
    private const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>Reads /proc/meminfo and the memory cgroup of this process (v2 or v1).</summary>
    public static AvailableMemory Read() => From(ReadOrNull, ReadOrNull("/proc/self/cgroup"));

    /// <summary>The same, from files given by a reader (tests pass their own).</summary>
    internal static AvailableMemory From(Func<string, string?> readFile, string? procSelfCgroup)
    {
        long memAvailable = ParseMemAvailable(readFile("/proc/meminfo") ?? "") ?? long.MaxValue;
        long? room = null;
        foreach (var (limitFile, usageFile) in CgroupFiles(procSelfCgroup ?? ""))
        {
            if (Room(readFile(limitFile), readFile(usageFile)) is { } r)
            {
                room = Math.Min(room ?? long.MaxValue, r);
            }
        }
        return new AvailableMemory(Math.Min(memAvailable, room ?? long.MaxValue), memAvailable, room);
    }

    /// <summary>MemAvailable in bytes from /proc/meminfo text ("MemAvailable:  123 kB").</summary>
    internal static long? ParseMemAvailable(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                continue;
            }
            var fields = line["MemAvailable:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 1 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kib))
            {
                return fields.Length >= 2 && fields[1] == "kB" ? kib * 1024 : kib;
            }
        }
        return null;
    }

    /// <summary>limit - usage; null when there is no limit ("max" in v2, a value near 2^63 in v1).</summary>
    internal static long? Room(string? limitText, string? usageText)
    {
        if (!long.TryParse(limitText?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long limit) || limit >= long.MaxValue / 2)
        {
            return null;
        }
        long.TryParse(usageText?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long usage);
        return Math.Max(0, limit - usage);
    }

    /// <summary>(limit, usage) file pairs of every memory cgroup from this process's up to the
    /// root, from /proc/self/cgroup: "0::/path" (v2) and "N:...memory...:/path" (v1).</summary>
    internal static IEnumerable<(string Limit, string Usage)> CgroupFiles(string procSelfCgroup)
    {
        foreach (var line in procSelfCgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }
            bool v2 = parts[0] == "0" && parts[1].Length == 0;
            bool v1 = parts[1].Split(',').Contains("memory");
            if (!v1 && !v2)
            {
                continue;
            }
            string mount = v1 ? $"{CgroupRoot}/memory" : CgroupRoot;
            var (limit, usage) = v1 ? ("memory.limit_in_bytes", "memory.usage_in_bytes") : ("memory.max", "memory.current");
            string path = parts[2].TrimEnd('/');
            while (true)
            {
                yield return ($"{mount}{path}/{limit}", $"{mount}{path}/{usage}");
                if (path.Length == 0)
                {
                    break;
                }
                path = path[..path.LastIndexOf('/')];
            }
        }
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public override string ToString() =>
        $"{ByteSize.Format(Bytes)} available (MemAvailable {ByteSize.Format(MemAvailableBytes)}"
        + (CgroupRoomBytes is { } room ? $", memory cgroup room {ByteSize.Format(room)})" : ", no memory cgroup limit)");
}
