using System.CommandLine;

namespace SdNative.Cli;

/// <summary>
/// `--cpu NAME`: which CPU kernels the engine uses. "auto" (the default) is the fastest the
/// CPU supports; on CPUs with AMX (avx512-amx) or AVX512-BF16 (avx512-bf16) that multiplies in
/// bfloat16 with float32 sums, and "avx512" keeps every product in float32 (slower, for exact
/// comparisons).
/// </summary>
public static class CpuOption
{
    private static readonly (string Name, CpuVariant Variant)[] Names =
    [
        ("auto", CpuVariant.Auto),
        ("scalar", CpuVariant.Scalar),
        ("avx2", CpuVariant.Avx2),
        ("avx512", CpuVariant.Avx512),
        ("avx512-amx", CpuVariant.Avx512Amx),
        ("avx512-bf16", CpuVariant.Avx512Bf16),
    ];

    public static string Choices => string.Join(", ", Names.Select(n => n.Name));

    public static Option<string> Create() => new("--cpu")
    {
        Description = $"CPU kernels: {Choices} (default auto: the fastest this CPU supports).",
        DefaultValueFactory = _ => "auto",
    };

    public static bool TryParse(string? text, out CpuVariant variant)
    {
        foreach (var (name, v) in Names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                variant = v;
                return true;
            }
        }
        variant = CpuVariant.Auto;
        return false;
    }

    /// <summary>The option's spelling of a variant (as `sdnative system` prints it).</summary>
    public static string NameOf(CpuVariant variant) =>
        Names.FirstOrDefault(n => n.Variant == variant).Name ?? variant.ToString().ToLowerInvariant();
}
