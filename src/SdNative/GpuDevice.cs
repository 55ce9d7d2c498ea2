using SdNative.Interop;

namespace SdNative;

/// <summary>A GPU the engine can compute on: Vulkan device <see cref="Index"/> ("vulkan:N").</summary>
public sealed record GpuDevice(int Index, string Name, GpuDeviceType Type, long MemoryBytes, bool F16, bool Int8, bool CooperativeMatrix)
{
    /// <summary>Every GPU device of this machine (empty without a GPU backend or driver).</summary>
    public static IReadOnlyList<GpuDevice> List() =>
        SdnLibrary.Devices().Select(d => new GpuDevice(
            d.index,
            SdnLibrary.DeviceName(d),
            d.type switch
            {
                (int)SdnDeviceType.IntegratedGpu => GpuDeviceType.IntegratedGpu,
                (int)SdnDeviceType.DiscreteGpu => GpuDeviceType.DiscreteGpu,
                (int)SdnDeviceType.VirtualGpu => GpuDeviceType.VirtualGpu,
                (int)SdnDeviceType.CpuEmulation => GpuDeviceType.CpuEmulation,
                _ => GpuDeviceType.Other,
            },
            d.memory_bytes,
            (d.features & (uint)SdnDeviceFeature.F16) != 0,
            (d.features & (uint)SdnDeviceFeature.Int8) != 0,
            (d.features & (uint)SdnDeviceFeature.CooperativeMatrix) != 0)).ToList();

    /// <summary>"vulkan:0 NVIDIA GeForce RTX 4090 (discrete, 24.0 GiB, f16 int8 coopmat)".</summary>
    public override string ToString()
    {
        var features = string.Join(' ', new[] { F16 ? "f16" : null, Int8 ? "int8" : null, CooperativeMatrix ? "coopmat" : null }.Where(f => f != null));
        return $"vulkan:{Index} {Name} ({Type}, {MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB{(features.Length > 0 ? ", " + features : "")})";
    }
}
