// Plain scalar expansion of every stored type to f32, block by block, following the layouts
// in block_layouts.h. This is the reference the SIMD paths are tested against.
#include <string>

#include "core/error.h"
#include "quant/block_kernels.h"
#include "quant/block_layouts.h"
#include "quant/row_ops.h"

namespace sdn::quant {

void dequant_block_q4_0(const uint8_t* b, float* y) {
    const float d = load_f16(b);
    const uint8_t* qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        y[j] = static_cast<float>((qs[j] & 0x0f) - 8) * d;
        y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
    }
}

void dequant_block_q4_1(const uint8_t* b, float* y) {
    const float d = load_f16(b), m = load_f16(b + 2);
    const uint8_t* qs = b + 4;
    for (int j = 0; j < 16; ++j) {
        y[j] = static_cast<float>(qs[j] & 0x0f) * d + m;
        y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
    }
}

void dequant_block_q5_0(const uint8_t* b, float* y) {
    const float d = load_f16(b);
    const uint32_t qh = load_u32(b + 2);
    const uint8_t* qs = b + 6;
    for (int j = 0; j < 16; ++j) {
        int lo = (qs[j] & 0x0f) | static_cast<int>(((qh >> j) & 1) << 4);
        int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4);
        y[j] = static_cast<float>(lo - 16) * d;
        y[j + 16] = static_cast<float>(hi - 16) * d;
    }
}

void dequant_block_q5_1(const uint8_t* b, float* y) {
    const float d = load_f16(b), m = load_f16(b + 2);
    const uint32_t qh = load_u32(b + 4);
    const uint8_t* qs = b + 8;
    for (int j = 0; j < 16; ++j) {
        int lo = (qs[j] & 0x0f) | static_cast<int>(((qh >> j) & 1) << 4);
        int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4);
        y[j] = static_cast<float>(lo) * d + m;
        y[j + 16] = static_cast<float>(hi) * d + m;
    }
}

void dequant_block_q8_0(const uint8_t* b, float* y) {
    const float d = load_f16(b);
    const int8_t* qs = reinterpret_cast<const int8_t*>(b + 2);
    for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(qs[j]) * d;
}

// q2_K: 16 sub-blocks of 16. Each group of 128 values uses 32 bytes of qs; value l of the
// group's four 32-value quarters sits at bit pair 0, 2, 4, 6 of byte l.
void dequant_block_q2_K(const uint8_t* b, float* y) {
    const uint8_t* scales = b + q2k::scales;
    const uint8_t* q = b + q2k::qs;
    const float d = load_f16(b + q2k::d), dmin = load_f16(b + q2k::dmin);
    int is = 0;
    for (int half = 0; half < 2; ++half) {
        for (int shift = 0; shift < 8; shift += 2) {
            for (int part = 0; part < 2; ++part) {
                uint8_t sc = scales[is++];
                float dl = d * static_cast<float>(sc & 0x0f), ml = dmin * static_cast<float>(sc >> 4);
                for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<float>((q[l + 16 * part] >> shift) & 3) - ml;
            }
        }
        q += 32;
    }
}

// q3_K: low 2 bits as in q2_K; the third bit comes from hmask (bit m of byte l), and a clear
// bit means subtract 4, giving values -4..3 times a signed 6-bit sub-block scale.
void dequant_block_q3_K(const uint8_t* b, float* y) {
    const uint8_t* hm = b + q3k::hmask;
    const uint8_t* q = b + q3k::qs;
    const uint8_t* sc = b + q3k::scales;
    const float d = load_f16(b + q3k::d);
    int is = 0;
    unsigned mask = 1;
    for (int half = 0; half < 2; ++half) {
        for (int shift = 0; shift < 8; shift += 2) {
            for (int part = 0; part < 2; ++part) {
                float dl = d * static_cast<float>(k3_scale(is++, sc));
                for (int l = 0; l < 16; ++l) {
                    int idx = l + 16 * part;
                    int v = ((q[idx] >> shift) & 3) - ((hm[idx] & mask) ? 0 : 4);
                    *y++ = dl * static_cast<float>(v);
                }
            }
            mask <<= 1;
        }
        q += 32;
    }
}

// q4_K: 4 groups of 64 values; each uses 32 bytes of qs (low nibbles first 32, high next 32).
void dequant_block_q4_K(const uint8_t* b, float* y) {
    const float d = load_f16(b + q4k::d), dmin = load_f16(b + q4k::dmin);
    const uint8_t* scales = b + q4k::scales;
    const uint8_t* q = b + q4k::qs;
    for (int g = 0; g < 4; ++g) {
        uint8_t s1, m1, s2, m2;
        k4_scale_min(2 * g, scales, s1, m1);
        k4_scale_min(2 * g + 1, scales, s2, m2);
        float d1 = d * s1, mn1 = dmin * m1, d2 = d * s2, mn2 = dmin * m2;
        for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0x0f) - mn1;
        for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - mn2;
        q += 32;
    }
}

// q5_K: q4_K plus a fifth bit per value from qh: group g's low half uses bit 2g of qh[l],
// its high half bit 2g+1.
void dequant_block_q5_K(const uint8_t* b, float* y) {
    const float d = load_f16(b + q5k::d), dmin = load_f16(b + q5k::dmin);
    const uint8_t* scales = b + q5k::scales;
    const uint8_t* qh = b + q5k::qh;
    const uint8_t* q = b + q5k::qs;
    for (int g = 0; g < 4; ++g) {
        uint8_t s1, m1, s2, m2;
        k4_scale_min(2 * g, scales, s1, m1);
        k4_scale_min(2 * g + 1, scales, s2, m2);
        float d1 = d * s1, mn1 = dmin * m1, d2 = d * s2, mn2 = dmin * m2;
        const unsigned u1 = 1u << (2 * g), u2 = 2u << (2 * g);
        for (int l = 0; l < 32; ++l)
            *y++ = d1 * static_cast<float>((q[l] & 0x0f) + ((qh[l] & u1) ? 16 : 0)) - mn1;
        for (int l = 0; l < 32; ++l)
            *y++ = d2 * static_cast<float>((q[l] >> 4) + ((qh[l] & u2) ? 16 : 0)) - mn2;
        q += 32;
    }
}

// q6_K: two halves of 128; in each, value l (0..31) of the four 32-value quarters takes its
// low nibble from ql[l], ql[l+32], ql[l] >> 4, ql[l+32] >> 4 and its top 2 bits from
// bit pairs 0, 2, 4, 6 of qh[l]. Sub-block scales are int8, one per 16 values.
void dequant_block_q6_K(const uint8_t* b, float* y) {
    const uint8_t* ql = b + q6k::ql;
    const uint8_t* qh = b + q6k::qh;
    const int8_t* sc = reinterpret_cast<const int8_t*>(b + q6k::scales);
    const float d = load_f16(b + q6k::d);
    for (int half = 0; half < 2; ++half) {
        for (int l = 0; l < 32; ++l) {
            int is = l / 16;
            int q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
            int q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
            int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
            y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
            y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
            y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
        }
        y += 128;
        ql += 64;
        qh += 32;
        sc += 8;
    }
}

BlockDequantFn reference_block_dequant(DType t) {
    switch (t) {
        case DType::Q4_0: return dequant_block_q4_0;
        case DType::Q4_1: return dequant_block_q4_1;
        case DType::Q5_0: return dequant_block_q5_0;
        case DType::Q5_1: return dequant_block_q5_1;
        case DType::Q8_0: return dequant_block_q8_0;
        case DType::Q2_K: return dequant_block_q2_K;
        case DType::Q3_K: return dequant_block_q3_K;
        case DType::Q4_K: return dequant_block_q4_K;
        case DType::Q5_K: return dequant_block_q5_K;
        case DType::Q6_K: return dequant_block_q6_K;
        default: return nullptr;
    }
}

}  // namespace sdn::quant

namespace sdn {

void dequantize_row_reference(DType t, const void* src, float* dst, int64_t n) {
    const DTypeTraits& tr = dtype_traits(t);
    SDN_REQUIRE(n >= 0 && n % tr.block_elems == 0, SDN_ERR_INVALID_ARGUMENT,
                std::string("dequantize: ") + std::to_string(n) + " values is not a multiple of the " + tr.name +
                    " block size " + std::to_string(tr.block_elems));
    const uint8_t* p = static_cast<const uint8_t*>(src);
    switch (t) {
        case DType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
        case DType::F16:
            for (int64_t i = 0; i < n; ++i) {
                uint16_t h;
                std::memcpy(&h, p + 2 * i, 2);
                dst[i] = f16_to_f32(h);
            }
            return;
        case DType::BF16:
            for (int64_t i = 0; i < n; ++i) {
                uint16_t h;
                std::memcpy(&h, p + 2 * i, 2);
                dst[i] = bf16_to_f32(h);
            }
            return;
        case DType::I64:
            for (int64_t i = 0; i < n; ++i) {
                int64_t v;
                std::memcpy(&v, p + 8 * i, 8);
                dst[i] = static_cast<float>(v);
            }
            return;
        default: break;
    }
    quant::BlockDequantFn fn = quant::reference_block_dequant(t);
    SDN_REQUIRE(fn != nullptr, SDN_ERR_UNSUPPORTED, std::string("dequantize: type ") + tr.name);
    const int64_t blocks = n / tr.block_elems;
    for (int64_t b = 0; b < blocks; ++b) fn(p + b * tr.block_bytes, dst + b * tr.block_elems);
}

}  // namespace sdn
