namespace SdNative.Cli.Tests.Fidelity;

/// <summary>
/// The read-only shared folder beside the checkout ($SDN_SHARED_DIR overrides). With CI=true a
/// missing folder fails the tests that need it; elsewhere they are skipped with the reason.
/// </summary>
public static class SharedFolder
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string? Path
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("SDN_SHARED_DIR");
            var candidate = string.IsNullOrEmpty(env) ? System.IO.Path.Combine(RepoRoot, "..", "shared") : env;
            return Directory.Exists(candidate) ? System.IO.Path.GetFullPath(candidate) : null;
        }
    }

    public static bool InCi => Environment.GetEnvironmentVariable("CI") == "true";

    /// <summary>The shared folder, or a skip (a failure under CI) naming what is missing.</summary>
    public static string Require()
    {
        var path = Path;
        if (path != null)
        {
            return path;
        }
        var message = "shared folder not found beside the checkout (set SDN_SHARED_DIR)";
        if (InCi)
        {
            Assert.Fail(message + " — CI=true, so this fails instead of skipping");
        }
        Skip.If(true, message);
        return "";
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(System.IO.Path.Combine(dir.FullName, "SdNative.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
