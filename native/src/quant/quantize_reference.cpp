// Quantization from f32. The 32-value types follow the GGUF tools' plain round-to-nearest
// rules exactly (same bytes). The K-quants fit each super-block with our own least-squares
// search (quant/kquant_fit.cpp) and pack the result into GGUF's layouts here; every value
// lands on the nearest point of its sub-block's stored grid.
#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "quant/block_kernels.h"
#include "quant/block_layouts.h"
#include "quant/kquant_fit.h"
#include "quant/row_ops.h"

namespace sdn::quant {
namespace {

void quant_block_q8_0(const float* x, uint8_t* b) {
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    store_f16(b, d);
    for (int j = 0; j < 32; ++j) b[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::roundf(x[j] * id)));
}

// The signed value of largest magnitude (first one on ties), as the GGUF tools pick it.
float signed_absmax(const float* x) {
    float amax = 0, max = 0;
    for (int j = 0; j < 32; ++j) {
        if (std::fabs(x[j]) > amax) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
    return max;
}

void quant_block_q4_0(const float* x, uint8_t* b) {
    const float d = signed_absmax(x) / -8.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    store_f16(b, d);
    for (int j = 0; j < 16; ++j) {
        int lo = std::min(15, static_cast<int>(static_cast<int8_t>(x[j] * id + 8.5f)));
        int hi = std::min(15, static_cast<int>(static_cast<int8_t>(x[j + 16] * id + 8.5f)));
        b[2 + j] = static_cast<uint8_t>(lo | (hi << 4));
    }
}

void min_max(const float* x, int n, float& mn, float& mx) {
    mn = x[0];
    mx = x[0];
    for (int j = 1; j < n; ++j) {
        mn = std::min(mn, x[j]);
        mx = std::max(mx, x[j]);
    }
}

void quant_block_q4_1(const float* x, uint8_t* b) {
    float mn, mx;
    min_max(x, 32, mn, mx);
    const float d = (mx - mn) / 15.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    store_f16(b, d);
    store_f16(b + 2, mn);
    for (int j = 0; j < 16; ++j) {
        int lo = std::min(15, static_cast<int>(static_cast<int8_t>((x[j] - mn) * id + 0.5f)));
        int hi = std::min(15, static_cast<int>(static_cast<int8_t>((x[j + 16] - mn) * id + 0.5f)));
        b[4 + j] = static_cast<uint8_t>(lo | (hi << 4));
    }
}

void pack_q5(const int* q, uint8_t* qh_out, uint8_t* qs) {
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
        qs[j] = static_cast<uint8_t>((q[j] & 0x0f) | ((q[j + 16] & 0x0f) << 4));
        qh |= static_cast<uint32_t>((q[j] >> 4) & 1) << j;
        qh |= static_cast<uint32_t>((q[j + 16] >> 4) & 1) << (j + 16);
    }
    store_u32(qh_out, qh);
}

void quant_block_q5_0(const float* x, uint8_t* b) {
    const float d = signed_absmax(x) / -16.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    store_f16(b, d);
    int q[32];
    for (int j = 0; j < 32; ++j) q[j] = std::min(31, static_cast<int>(static_cast<int8_t>(x[j] * id + 16.5f)));
    pack_q5(q, b + 2, b + 6);
}

void quant_block_q5_1(const float* x, uint8_t* b) {
    float mn, mx;
    min_max(x, 32, mn, mx);
    const float d = (mx - mn) / 31.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    store_f16(b, d);
    store_f16(b + 2, mn);
    int q[32];
    for (int j = 0; j < 32; ++j) q[j] = std::min(31, static_cast<int>(static_cast<uint8_t>((x[j] - mn) * id + 0.5f)));
    pack_q5(q, b + 4, b + 8);
}

void quant_block_q2_K(const float* x, uint8_t* b) {
    const AsymmetricFit r = fit_asymmetric(x, 16, 16, 3, 15);
    for (int s = 0; s < 16; ++s) b[q2k::scales + s] = static_cast<uint8_t>(r.scale[s] | (r.min[s] << 4));
    uint8_t* qs = b + q2k::qs;
    for (int i = 0; i < 64; ++i) qs[i] = 0;
    // Value index within a 128-half: quarter k (0..3) at bit pair 2k, byte l (0..31).
    for (int half = 0; half < 2; ++half)
        for (int k = 0; k < 4; ++k)
            for (int l = 0; l < 32; ++l)
                qs[half * 32 + l] |= static_cast<uint8_t>(r.q[half * 128 + k * 32 + l] << (2 * k));
    std::memcpy(b + q2k::d, &r.d_bits, 2);
    std::memcpy(b + q2k::dmin, &r.dmin_bits, 2);
}

void quant_block_q3_K(const float* x, uint8_t* b) {
    const SymmetricFit r = fit_symmetric(x, 16, 16, 4, 32);
    uint8_t* hm = b + q3k::hmask;
    uint8_t* qs = b + q3k::qs;
    for (int i = 0; i < 32; ++i) hm[i] = 0;
    for (int i = 0; i < 64; ++i) qs[i] = 0;
    for (int half = 0; half < 2; ++half)
        for (int k = 0; k < 4; ++k)
            for (int l = 0; l < 32; ++l) {
                int v = r.q[half * 128 + k * 32 + l] + 4;  // 0..7: low 2 bits in qs, bit 2 in hmask
                qs[half * 32 + l] |= static_cast<uint8_t>((v & 3) << (2 * k));
                if (v & 4) hm[l] |= static_cast<uint8_t>(1u << (half * 4 + k));
            }
    k3_pack_scales(r.scale, b + q3k::scales);
    std::memcpy(b + q3k::d, &r.d_bits, 2);
}

void quant_block_q4_K(const float* x, uint8_t* b) {
    const AsymmetricFit r = fit_asymmetric(x, 8, 32, 15, 63);
    std::memcpy(b + q4k::d, &r.d_bits, 2);
    std::memcpy(b + q4k::dmin, &r.dmin_bits, 2);
    k4_pack_scale_min(r.scale, r.min, b + q4k::scales);
    uint8_t* qs = b + q4k::qs;
    for (int g = 0; g < 4; ++g)
        for (int l = 0; l < 32; ++l)
            qs[g * 32 + l] = static_cast<uint8_t>(r.q[g * 64 + l] | (r.q[g * 64 + 32 + l] << 4));
}

void quant_block_q5_K(const float* x, uint8_t* b) {
    const AsymmetricFit r = fit_asymmetric(x, 8, 32, 31, 63);
    std::memcpy(b + q5k::d, &r.d_bits, 2);
    std::memcpy(b + q5k::dmin, &r.dmin_bits, 2);
    k4_pack_scale_min(r.scale, r.min, b + q5k::scales);
    uint8_t* qh = b + q5k::qh;
    uint8_t* qs = b + q5k::qs;
    for (int i = 0; i < 32; ++i) qh[i] = 0;
    for (int g = 0; g < 4; ++g)
        for (int l = 0; l < 32; ++l) {
            int lo = r.q[g * 64 + l], hi = r.q[g * 64 + 32 + l];
            qs[g * 32 + l] = static_cast<uint8_t>((lo & 15) | ((hi & 15) << 4));
            qh[l] |= static_cast<uint8_t>(((lo >> 4) << (2 * g)) | ((hi >> 4) << (2 * g + 1)));
        }
}

void quant_block_q6_K(const float* x, uint8_t* b) {
    const SymmetricFit r = fit_symmetric(x, 16, 16, 32, 128);
    uint8_t* ql = b + q6k::ql;
    uint8_t* qh = b + q6k::qh;
    for (int i = 0; i < 128; ++i) ql[i] = 0;
    for (int i = 0; i < 64; ++i) qh[i] = 0;
    for (int half = 0; half < 2; ++half)
        for (int l = 0; l < 32; ++l) {
            int v[4];
            for (int k = 0; k < 4; ++k) v[k] = r.q[half * 128 + k * 32 + l] + 32;  // 0..63
            ql[half * 64 + l] = static_cast<uint8_t>((v[0] & 15) | ((v[2] & 15) << 4));
            ql[half * 64 + l + 32] = static_cast<uint8_t>((v[1] & 15) | ((v[3] & 15) << 4));
            qh[half * 32 + l] =
                static_cast<uint8_t>((v[0] >> 4) | ((v[1] >> 4) << 2) | ((v[2] >> 4) << 4) | ((v[3] >> 4) << 6));
        }
    for (int s = 0; s < 16; ++s) b[q6k::scales + s] = static_cast<uint8_t>(static_cast<int8_t>(r.scale[s]));
    std::memcpy(b + q6k::d, &r.d_bits, 2);
}

}  // namespace

BlockQuantFn reference_block_quant(DType t) {
    switch (t) {
        case DType::Q4_0: return quant_block_q4_0;
        case DType::Q4_1: return quant_block_q4_1;
        case DType::Q5_0: return quant_block_q5_0;
        case DType::Q5_1: return quant_block_q5_1;
        case DType::Q8_0: return quant_block_q8_0;
        case DType::Q2_K: return quant_block_q2_K;
        case DType::Q3_K: return quant_block_q3_K;
        case DType::Q4_K: return quant_block_q4_K;
        case DType::Q5_K: return quant_block_q5_K;
        case DType::Q6_K: return quant_block_q6_K;
        default: return nullptr;
    }
}

}  // namespace sdn::quant

namespace sdn {

void quantize_row_reference(DType t, const float* src, void* dst, int64_t n) {
    const DTypeTraits& tr = dtype_traits(t);
    SDN_REQUIRE(n >= 0 && n % tr.block_elems == 0, SDN_ERR_INVALID_ARGUMENT,
                std::string("quantize: ") + std::to_string(n) + " values is not a multiple of the " + tr.name +
                    " block size " + std::to_string(tr.block_elems));
    uint8_t* p = static_cast<uint8_t*>(dst);
    switch (t) {
        case DType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
        case DType::F16:
            for (int64_t i = 0; i < n; ++i) {
                uint16_t h = f32_to_f16(src[i]);
                std::memcpy(p + 2 * i, &h, 2);
            }
            return;
        case DType::BF16:
            for (int64_t i = 0; i < n; ++i) {
                uint16_t h = f32_to_bf16(src[i]);
                std::memcpy(p + 2 * i, &h, 2);
            }
            return;
        case DType::I64:
            for (int64_t i = 0; i < n; ++i) {
                int64_t v = static_cast<int64_t>(std::llround(src[i]));
                std::memcpy(p + 8 * i, &v, 8);
            }
            return;
        default: break;
    }
    quant::BlockQuantFn fn = quant::reference_block_quant(t);
    SDN_REQUIRE(fn != nullptr, SDN_ERR_UNSUPPORTED, std::string("quantize: type ") + tr.name);
    const int64_t blocks = n / tr.block_elems;
    for (int64_t b = 0; b < blocks; ++b) fn(src + b * tr.block_elems, p + b * tr.block_bytes);
}

}  // namespace sdn
