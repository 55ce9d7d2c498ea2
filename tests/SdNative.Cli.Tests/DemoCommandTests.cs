namespace SdNative.Cli.Tests;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-demo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task PreparesATestModelAnExampleImageAndTheWorkflowOverrides()
    {
        var paths = CliPaths.Resolve(_dir, null, null, null);
        var console = new CliConsole(new StringWriter(), new StringWriter(), false);
        var (_, overrides) = await DemoCommand.PrepareAsync(paths, console, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(_dir, "models", "checkpoints", MakeTestModelCommand.DefaultFileName)));
        Assert.True(File.Exists(Path.Combine(_dir, "input", DemoCommand.ExampleImage)));
        var (image, _) = SdNative.Imaging.ImageLoader.LoadImage(Path.Combine(_dir, "input", DemoCommand.ExampleImage));
        Assert.Equal([1, 256, 256, 3], image.Pixels.Shape);
        Assert.Contains(new KeyValuePair<string, string>("checkpoint.ckpt_name", MakeTestModelCommand.DefaultFileName), overrides);
        Assert.Contains(new KeyValuePair<string, string>("load_image.image", DemoCommand.ExampleImage), overrides);
    }
}
