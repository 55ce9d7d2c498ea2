using SdNative.Server;

namespace SdNative.Server.Tests;

public class ServerOptionsTests
{
    [Fact]
    public void DefaultsListenOnLoopbackAtComfyUisPort()
    {
        var options = new ServerOptions();
        Assert.Equal("127.0.0.1", options.Listen);
        Assert.Equal(8188, options.Port);
        Assert.Null(options.Problem());
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.10")]
    [InlineData("::")]
    public void AnAddressOffLoopbackNeedsAnApiKeyOrInsecure(string address)
    {
        Assert.Contains("--api-key", new ServerOptions { Listen = address }.Problem());
        Assert.Null(new ServerOptions { Listen = address, ApiKey = "secret" }.Problem());
        Assert.Null(new ServerOptions { Listen = address, Insecure = true }.Problem());
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("localhost")]
    [InlineData("127.0.0.2")]
    public void LoopbackNeedsNoKey(string address) => Assert.Null(new ServerOptions { Listen = address }.Problem());

    [Fact]
    public void APortOutsideTcpRangeIsRefused() => Assert.Contains("70000", new ServerOptions { Port = 70000 }.Problem());

    [Fact]
    public void SizeLimitsMustBePositiveAndAreMebibytes()
    {
        Assert.Contains("--max-upload-size", new ServerOptions { MaxUploadSize = 0 }.Problem());
        Assert.Contains("--max-json-size", new ServerOptions { MaxJsonSize = -1 }.Problem());
        Assert.Equal((104857600L, 33554432L), (new ServerOptions().MaxUploadBytes, new ServerOptions().MaxJsonBytes)); // ComfyUI's 100 MB is 100 MiB
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("auto")]
    [InlineData("VULKAN")]
    public void DeviceTakesTheCliSpellings(string device)
    {
        var options = new ServerOptions { Device = device };
        Assert.Equal(ComputeDevice.Parse(device), options.EngineDevice);
        Assert.Equal(ComputeDevice.Parse(device), options.RunOptions().Device);
        // "vulkan" needs a Vulkan device; without one the refusal says so.
        Assert.True(options.Problem() is null || (device == "VULKAN" && GpuDevice.List().Count == 0), options.Problem());
    }

    [Fact]
    public void TheMemoryBudgetIsASizeThatReachesTheRunner()
    {
        var options = new ServerOptions { MemoryBudget = "6G" };
        Assert.Null(options.Problem());
        Assert.Equal(6L << 30, options.MemoryBudgetBytes);
        Assert.Equal(6L << 30, options.RunOptions().MemoryBudgetBytes);
        Assert.Equal(0, new ServerOptions().MemoryBudgetBytes);
        Assert.Equal("--memory-budget: 'lots' is not a memory size (bytes, or a number with K, M, G or T, e.g. 6G)", new ServerOptions { MemoryBudget = "lots" }.Problem());
    }

    [Fact]
    public void AnUnknownDeviceIsRefusedNamingWhatThereIs()
    {
        Assert.Equal("--device takes auto, cpu, vulkan, vulkan:N, not 'gpu'", new ServerOptions { Device = "gpu" }.Problem());
        string missing = new ServerOptions { Device = "vulkan:99" }.Problem()!;
        Assert.StartsWith("--device: there is no vulkan:99; there are cpu and ", missing);
        Assert.All(GpuDevice.List(), gpu => Assert.Contains(gpu.ToString(), missing));
    }
}
