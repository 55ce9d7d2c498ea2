namespace SdNative;

/// <summary>Which CPU kernels an engine runs.</summary>
public enum CpuVariant
{
    /// <summary>The fastest family this CPU supports.</summary>
    Auto,
    /// <summary>Portable C++ loops, no vector instructions.</summary>
    Scalar,
    /// <summary>AVX2 + FMA, every product in float32.</summary>
    Avx2,
    /// <summary>AVX-512, every product in float32.</summary>
    Avx512,
    /// <summary>AVX-512 with AMX tiles: products in bfloat16, sums in float32.</summary>
    Avx512Amx,
    /// <summary>AVX-512 with AVX512-BF16 dot products (no AMX): products in bfloat16, sums in float32.</summary>
    Avx512Bf16,
}
