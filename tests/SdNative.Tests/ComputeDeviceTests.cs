namespace SdNative.Tests;

public class ComputeDeviceTests
{
    [Theory]
    [InlineData("auto", ComputeDeviceKind.Auto, 0)]
    [InlineData("CPU", ComputeDeviceKind.Cpu, 0)]
    [InlineData("vulkan", ComputeDeviceKind.Vulkan, 0)]
    [InlineData("vulkan:3", ComputeDeviceKind.Vulkan, 3)]
    public void ParsesEverySpelling(string text, ComputeDeviceKind kind, int index)
    {
        var d = ComputeDevice.Parse(text);
        Assert.Equal(kind, d.Kind);
        Assert.Equal(index, d.Index);
        Assert.Equal(d, ComputeDevice.Parse(d.ToString()));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("vulkan:")]
    [InlineData("vulkan:-1")]
    [InlineData("cuda:0")]
    public void RefusesOtherSpellings(string text)
    {
        Assert.False(ComputeDevice.TryParse(text, out _));
        Assert.Contains("vulkan:N", Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(text)).Message);
    }

    [Fact]
    public void EnginesComputeOnTheCpuUnlessToldOtherwise()
    {
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
        Assert.Equal("cpu", engine.DeviceName);
        using var explicitCpu = new SdnEngine(new SdnEngineOptions(Threads: 1, Device: ComputeDevice.Cpu));
        Assert.Equal("cpu", explicitCpu.DeviceName);
    }

    [Fact]
    public void AutomaticChoiceNeverTakesACpuEmulation()
    {
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1, Device: ComputeDevice.Auto));
        var gpus = GpuDevice.List().Where(d => d.Type is GpuDeviceType.DiscreteGpu or GpuDeviceType.IntegratedGpu).ToList();
        if (gpus.Count == 0)
        {
            Assert.Equal("cpu", engine.DeviceName);
        }
        else
        {
            Assert.StartsWith("vulkan:", engine.DeviceName);
        }
    }

    [Fact]
    public void ANamedVulkanDeviceIsUsedOrItsAbsenceExplained()
    {
        var devices = GpuDevice.List();
        if (devices.Count > 0)
        {
            using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1, Device: ComputeDevice.Vulkan(0)));
            Assert.Equal($"vulkan:0 {devices[0].Name}", engine.DeviceName);
            Assert.Contains(devices, d => d.Type == GpuDeviceType.CpuEmulation || d.MemoryBytes > 0);
        }
        var missing = Assert.Throws<SdnException>(() => new SdnEngine(new SdnEngineOptions(Threads: 1, Device: ComputeDevice.Vulkan(devices.Count + 5))));
        Assert.Contains($"device=vulkan:{devices.Count + 5}", missing.Message);
        Assert.Contains("GPU devices:", missing.Message);
        foreach (var d in devices)
        {
            Assert.Contains(d.Name, missing.Message);
        }
    }
}
