namespace SdNative.Interop.Tests.Support;

/// <summary>Where the repository and the shared folder are, seen from a test.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !(File.Exists(Path.Combine(dir.FullName, "SdNative.sln")) && Directory.Exists(Path.Combine(dir.FullName, "native"))))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    public static string Header => Path.Combine(Root, "native", "include", "sdnative.h");

    public static string GeneratorScript => Path.Combine(Root, "scripts", "generate-bindings");
}
