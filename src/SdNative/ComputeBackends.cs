namespace SdNative;

/// <summary>The compute backends libsdnative was built with.</summary>
[Flags]
public enum ComputeBackends
{
    None = 0,
    Cpu = 1 << 0,
    Vulkan = 1 << 1,
    Cuda = 1 << 2,
}
