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
}
