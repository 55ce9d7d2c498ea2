namespace SdNative;

/// <summary>What kind of device a <see cref="GpuDevice"/> is.</summary>
public enum GpuDeviceType
{
    Other,
    IntegratedGpu,
    DiscreteGpu,
    VirtualGpu,
    /// <summary>A CPU driver such as Mesa's lavapipe: correct but far slower than the CPU backend.</summary>
    CpuEmulation,
}
