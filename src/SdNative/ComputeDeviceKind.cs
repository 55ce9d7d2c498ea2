namespace SdNative;

/// <summary>Which backend a <see cref="ComputeDevice"/> names.</summary>
public enum ComputeDeviceKind
{
    /// <summary>The first discrete or integrated GPU, else the CPU; never a CPU emulation such as lavapipe.</summary>
    Auto,
    Cpu,
    Vulkan,
}
