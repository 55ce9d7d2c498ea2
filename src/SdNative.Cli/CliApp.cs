using System.CommandLine;

namespace SdNative.Cli;

/// <summary>Builds the `sdnative` command tree and runs it.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("SdNative: Stable Diffusion image-to-image from ComfyUI workflows, on a native engine.");
        root.Subcommands.Add(SystemCommand.Create());
        var parse = root.Parse(args);
        return await parse.InvokeAsync();
    }
}
