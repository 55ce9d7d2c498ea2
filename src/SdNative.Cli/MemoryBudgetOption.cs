using System.CommandLine;

namespace SdNative.Cli;

/// <summary>`--memory-budget SIZE` ("6G", "512M", bytes): a cap on the engine's memory; a VAE
/// decode that would not fit runs in tiles that do (see <see cref="SdnEngineOptions.MemoryBudgetBytes"/>).</summary>
public static class MemoryBudgetOption
{
    public const string Description = "Cap on the engine's memory, e.g. 6G (default: what the machine can give); a VAE decode that would not fit runs in tiles.";

    public static Option<string?> Create() => new("--memory-budget") { Description = Description };

    /// <summary>The cap in bytes (0 when not given), or false with <paramref name="error"/>.</summary>
    public static bool TryResolve(string? text, out long bytes, out string? error)
    {
        if (text is null)
        {
            (bytes, error) = (0, null);
            return true;
        }
        if (!ByteSize.TryParse(text, out bytes, out error))
        {
            error = $"--memory-budget: {error}";
            return false;
        }
        return true;
    }
}
