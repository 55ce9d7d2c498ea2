using System.Runtime.InteropServices;
using SdNative.Interop;

namespace SdNative.Cli.Tests;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-demo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task PreparesATestModelAnExampleImageAndTheWorkflowOverrides()
    {
        SdnLibrary.EnsureLoaded();
        var lib = NativeLibraryResolver.Load(NativeLibraryResolver.CandidatePaths(AppContext.BaseDirectory, Environment.GetEnvironmentVariable("SDN_NATIVE_LIBRARY")));
        Skip.IfNot(NativeLibrary.TryGetExport(lib, "sdn_make_test_model", out _), "libsdnative does not export sdn_make_test_model yet");

        var paths = CliPaths.Resolve(_dir, null, null, null);
        var console = new CliConsole(new StringWriter(), new StringWriter(), false);
        List<KeyValuePair<string, string>>? overrides = null;
        try
        {
            (_, overrides) = await DemoCommand.PrepareAsync(paths, console, CancellationToken.None);
        }
        catch (UserError e)
        {
            // The workflow file comes from the workflow runner's examples/; until it lands the
            // demo says exactly what is missing.
            Assert.Contains(DemoCommand.WorkflowFile, e.Message);
        }
        Assert.True(File.Exists(Path.Combine(_dir, "models", "checkpoints", MakeTestModelCommand.DefaultFileName)));
        Assert.True(File.Exists(Path.Combine(_dir, "input", DemoCommand.ExampleImage)));
        var (image, _) = SdNative.Imaging.ImageLoader.LoadImage(Path.Combine(_dir, "input", DemoCommand.ExampleImage));
        Assert.Equal([1, 256, 256, 3], image.Pixels.Shape);
        if (overrides is not null)
        {
            Assert.Contains(new KeyValuePair<string, string>("checkpoint.ckpt_name", MakeTestModelCommand.DefaultFileName), overrides);
            Assert.Contains(new KeyValuePair<string, string>("load_image.image", DemoCommand.ExampleImage), overrides);
        }
    }
}
