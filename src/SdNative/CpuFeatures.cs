namespace SdNative;

/// <summary>Instruction-set features the engine detected on this CPU.</summary>
[Flags]
public enum CpuFeatures
{
    None = 0,
    Sse42 = 1 << 0,
    Avx = 1 << 1,
    Avx2 = 1 << 2,
    Fma = 1 << 3,
    F16c = 1 << 4,
    Avx512f = 1 << 5,
    Avx512bw = 1 << 6,
    Avx512vl = 1 << 7,
    Avx512dq = 1 << 8,
    Avx512Bf16 = 1 << 9,
    Avx512Vnni = 1 << 10,
    AvxVnni = 1 << 11,
    AmxBf16 = 1 << 12,
    AmxInt8 = 1 << 13,
}
