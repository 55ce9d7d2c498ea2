namespace SdNative.Cli;

/// <summary>
/// The folders a command works with, ComfyUI style: models/, input/ and output/ under a base
/// folder. The base is --base, else $SDN_BASE_DIR, else the current folder when it has a models/
/// folder, else the source tree the CLI was built from, else the current folder.
/// </summary>
public sealed record CliPaths(string Base, string Models, string Input, string Output)
{
    public static CliPaths Resolve(string? baseDir, string? models, string? input, string? output)
    {
        string root = Path.GetFullPath(baseDir ?? Environment.GetEnvironmentVariable("SDN_BASE_DIR") ?? DefaultBase());
        return new CliPaths(
            root,
            Path.GetFullPath(models ?? Path.Combine(root, "models")),
            Path.GetFullPath(input ?? Path.Combine(root, "input")),
            Path.GetFullPath(output ?? Path.Combine(root, "output")));
    }

    private static string DefaultBase()
    {
        string cwd = Directory.GetCurrentDirectory();
        if (Directory.Exists(Path.Combine(cwd, "models")))
        {
            return cwd;
        }
        return RepositoryRoot() ?? cwd;
    }

    /// <summary>The checkout this CLI was built from (the folder with SdNative.sln), if any.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SdNative.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
