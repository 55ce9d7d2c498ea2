using System.Globalization;

namespace SdNative;

/// <summary>Byte counts as people read them ("1.5 GiB", "14.2 PiB") and type them: a number of
/// bytes, or a number with K, M, G or T (binary multiples: 6G = 6 × 2³⁰ bytes; KiB, MiB, GiB,
/// TiB and a trailing B are accepted too), e.g. "6G", "1.5GiB", "512M".</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    private static readonly (string Suffix, int Shift)[] Suffixes =
    [
        ("TIB", 40), ("GIB", 30), ("MIB", 20), ("KIB", 10),
        ("TB", 40), ("GB", 30), ("MB", 20), ("KB", 10),
        ("T", 40), ("G", 30), ("M", 20), ("K", 10), ("B", 0),
    ];

    public static string Format(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
            : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>The size in bytes, or false with <paramref name="error"/> saying what is wrong.</summary>
    public static bool TryParse(string? text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        string t = (text ?? "").Trim().ToUpperInvariant();
        int shift = 0;
        foreach (var (suffix, unitShift) in Suffixes)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                t = t[..^suffix.Length].TrimEnd();
                shift = unitShift;
                break;
            }
        }
        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number)
            || double.IsNaN(number) || number * Math.Pow(2, shift) >= long.MaxValue)
        {
            error = $"'{text}' is not a memory size (bytes, or a number with K, M, G or T, e.g. 6G)";
            return false;
        }
        bytes = (long)Math.Round(number * Math.Pow(2, shift));
        return true;
    }
}
