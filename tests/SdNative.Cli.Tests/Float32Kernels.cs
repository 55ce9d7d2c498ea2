namespace SdNative.Cli.Tests;

/// <summary>The fastest CPU kernels with float32 products: the bfloat16 default of AVX512-BF16
/// and AMX CPUs moves pixels far more than the differences some tests look for.</summary>
internal static class Float32Kernels
{
    public static CpuVariant Variant()
    {
        var best = SystemInfo.Read().BestCpuVariant;
        return best is CpuVariant.Avx512Amx or CpuVariant.Avx512Bf16 ? CpuVariant.Avx512 : best;
    }

    /// <summary>The variant as `--cpu` spells it.</summary>
    public static string Name() => CpuOption.NameOf(Variant());
}
