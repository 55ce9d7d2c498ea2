using System.CommandLine;

namespace SdNative.Cli;

/// <summary>
/// `--device auto|cpu|vulkan|vulkan:N`: where the engine computes. "auto" takes a discrete or
/// integrated GPU, else the CPU (never a CPU emulation such as lavapipe); "vulkan" is the
/// first Vulkan device whatever its type, "vulkan:N" the N-th (`sdnative system` lists them).
/// </summary>
public static class DeviceOption
{
    public static Option<string> Create() => new("--device")
    {
        Description = $"Compute device: {ComputeDevice.Spellings} (default cpu; `sdnative system` lists the devices).",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>The device, or null with `error` naming the problem and the devices there are.</summary>
    public static ComputeDevice? Resolve(string? text, out string? error)
    {
        error = null;
        if (!ComputeDevice.TryParse(text, out var device))
        {
            error = $"--device takes {ComputeDevice.Spellings}, not '{text}'";
            return null;
        }
        if (device.Value.Kind == ComputeDeviceKind.Vulkan)
        {
            var devices = GpuDevice.List();
            if (device.Value.Index >= devices.Count)
            {
                var names = devices.Count == 0 ? "no Vulkan devices" : string.Join("; ", devices);
                error = $"no device {device.Value}: there are cpu and {names}";
                return null;
            }
        }
        return device;
    }
}
