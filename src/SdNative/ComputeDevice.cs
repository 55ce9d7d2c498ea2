using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SdNative;

/// <summary>
/// The device an engine computes on, spelled "auto", "cpu", "vulkan" (the first Vulkan device,
/// whatever its type) or "vulkan:N" (the N-th, as <see cref="GpuDevice.List"/> numbers them).
/// </summary>
public readonly record struct ComputeDevice(ComputeDeviceKind Kind, int Index = 0)
{
    public static ComputeDevice Auto => new(ComputeDeviceKind.Auto);
    public static ComputeDevice Cpu => new(ComputeDeviceKind.Cpu);
    public static ComputeDevice Vulkan(int index = 0) => new(ComputeDeviceKind.Vulkan, index);

    public const string Spellings = "auto, cpu, vulkan, vulkan:N";

    public static bool TryParse(string? text, [NotNullWhen(true)] out ComputeDevice? device)
    {
        device = null;
        var t = text?.Trim().ToLowerInvariant();
        if (t == "auto") device = Auto;
        else if (t == "cpu") device = Cpu;
        else if (t == "vulkan") device = Vulkan();
        else if (t != null && t.StartsWith("vulkan:", StringComparison.Ordinal)
                 && int.TryParse(t["vulkan:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            device = Vulkan(n);
        }
        return device != null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the accepted spellings.</summary>
    public static ComputeDevice Parse(string text) =>
        TryParse(text, out var d) ? d.Value : throw new ArgumentException($"Unknown device '{text}': use {Spellings}.", nameof(text));

    /// <summary>Null when this machine has the device (auto and cpu always exist), else a
    /// sentence naming the devices it does have, for a person to pick another.</summary>
    public static string? Absence(ComputeDevice device)
    {
        if (device.Kind != ComputeDeviceKind.Vulkan)
        {
            return null;
        }
        var devices = GpuDevice.List();
        if (device.Index < devices.Count)
        {
            return null;
        }
        var names = devices.Count == 0 ? "no Vulkan devices" : string.Join("; ", devices);
        return $"there is no {device}; there are cpu and {names}";
    }

    public override string ToString() => Kind switch
    {
        ComputeDeviceKind.Auto => "auto",
        ComputeDeviceKind.Cpu => "cpu",
        _ => $"vulkan:{Index}",
    };
}
