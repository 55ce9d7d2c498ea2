// Byte layouts of GGUF's quantized blocks, as offsets into a block (blocks are read through
// byte pointers so a block at any address works; halves are little-endian IEEE f16).
//
//   q4_0  (32 values, 18 B): d:f16 | qs[16]      value j      = (qs[j] & 15  - 8) * d
//                                                 value j + 16 = (qs[j] >> 4  - 8) * d
//   q4_1  (32 values, 20 B): d:f16 m:f16 | qs[16] value = nibble * d + m (same nibble order)
//   q5_0  (32 values, 22 B): d:f16 | qh:u32 | qs[16]   5th bit of value j is bit j of qh;
//                                                 value = (q5 - 16) * d
//   q5_1  (32 values, 24 B): d:f16 m:f16 | qh:u32 | qs[16]   value = q5 * d + m
//   q8_0  (32 values, 34 B): d:f16 | qs:int8[32]  value = qs[j] * d
//
// K-quants pack 256 values into a super-block of 16 or 8 sub-blocks with quantized scales:
//   q2_K (84 B):  scales[16] (low nibble scale, high nibble min) | qs[64] (2-bit) | d:f16 dmin:f16
//   q3_K (110 B): hmask[32] | qs[64] (low 2 bits) | scales[12] (16 six-bit signed, +32) | d:f16
//   q4_K (144 B): d:f16 dmin:f16 | scales[12] (8 six-bit scales + 8 six-bit mins) | qs[128]
//   q5_K (176 B): d:f16 dmin:f16 | scales[12] | qh[32] | qs[128]
//   q6_K (210 B): ql[128] | qh[64] | scales:int8[16] | d:f16
#pragma once

#include <cstdint>
#include <cstring>

#include "core/half.h"

namespace sdn::quant {

constexpr int kQK = 32;    // values per block of the simple types
constexpr int kQK_K = 256;  // values per K-quant super-block

inline float load_f16(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return f16_to_f32(h);
}
inline void store_f16(uint8_t* p, float v) {
    uint16_t h = f32_to_f16(v);
    std::memcpy(p, &h, 2);
}
inline uint32_t load_u32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
inline void store_u32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

// Simple block sizes.
constexpr int kQ4_0Bytes = 18, kQ4_1Bytes = 20, kQ5_0Bytes = 22, kQ5_1Bytes = 24, kQ8_0Bytes = 34;
// K-quant field offsets.
namespace q2k { constexpr int scales = 0, qs = 16, d = 80, dmin = 82, bytes = 84; }
namespace q3k { constexpr int hmask = 0, qs = 32, scales = 96, d = 108, bytes = 110; }
namespace q4k { constexpr int d = 0, dmin = 2, scales = 4, qs = 16, bytes = 144; }
namespace q5k { constexpr int d = 0, dmin = 2, scales = 4, qh = 16, qs = 48, bytes = 176; }
namespace q6k { constexpr int ql = 0, qh = 128, scales = 192, d = 208, bytes = 210; }

// q4_K / q5_K: 8 sub-block scales and mins of 6 bits in 12 bytes. Sub-blocks 0-3 keep theirs
// in the low 6 bits of bytes 0-3 (scale) and 4-7 (min); sub-blocks 4-7 keep the low 4 bits in
// bytes 8-11 (scale low nibble, min high nibble) and the top 2 bits in the spare top bits of
// bytes 0-3 (scale) and 4-7 (min).
inline void k4_scale_min(int j, const uint8_t* q, uint8_t& scale, uint8_t& min) {
    if (j < 4) {
        scale = q[j] & 63;
        min = q[j + 4] & 63;
    } else {
        scale = static_cast<uint8_t>((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4));
        min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

inline void k4_pack_scale_min(const uint8_t scale[8], const uint8_t min[8], uint8_t* q) {
    for (int j = 0; j < 12; ++j) q[j] = 0;
    for (int j = 0; j < 4; ++j) {
        q[j] = static_cast<uint8_t>(scale[j] & 63);
        q[j + 4] = static_cast<uint8_t>(min[j] & 63);
    }
    for (int j = 4; j < 8; ++j) {
        q[j + 4] = static_cast<uint8_t>((scale[j] & 0x0f) | ((min[j] & 0x0f) << 4));
        q[j - 4] |= static_cast<uint8_t>((scale[j] >> 4) << 6);
        q[j] |= static_cast<uint8_t>((min[j] >> 4) << 6);
    }
}

// q3_K: 16 six-bit scales (stored +32) in 12 bytes. Bytes 0-7 hold the low 4 bits (scale j in
// the low nibble of byte j for j < 8, scale j in the high nibble of byte j-8 for j >= 8);
// bytes 8-11 hold the top 2 bits, scale j's in bits 2*(j/4).. of byte 8 + j%4.
inline int k3_scale(int j, const uint8_t* q) {
    int low = j < 8 ? (q[j] & 0x0f) : (q[j - 8] >> 4);
    int high = (q[8 + j % 4] >> (2 * (j / 4))) & 3;
    return (low | (high << 4)) - 32;
}

inline void k3_pack_scales(const int scale[16], uint8_t* q) {
    for (int j = 0; j < 12; ++j) q[j] = 0;
    for (int j = 0; j < 16; ++j) {
        int s = scale[j] + 32;  // 0..63
        if (j < 8)
            q[j] |= static_cast<uint8_t>(s & 0x0f);
        else
            q[j - 8] |= static_cast<uint8_t>((s & 0x0f) << 4);
        q[8 + j % 4] |= static_cast<uint8_t>((s >> 4) << (2 * (j / 4)));
    }
}

}  // namespace sdn::quant
