namespace SdNative.Cli.Tests;

public class SystemCommandTests
{
    [Fact]
    public async Task SystemCommandPrintsTheDetectedCpu()
    {
        var original = Console.Out;
        var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            Assert.Equal(0, await CliApp.RunAsync(new[] { "system" }));
        }
        finally
        {
            Console.SetOut(original);
        }
        var text = writer.ToString();
        Assert.Contains("libsdnative", text);
        Assert.Contains("cores:", text);
    }
}
