// Row-wise encoding of float32 weights into stored types. The block layouts are GGUF's:
// q8_0 = 32 values as an f16 scale + 32 int8; q4_0 = 32 values as an f16 scale + 16 bytes of
// 4-bit codes (value j in the low nibble of byte j, value j+16 in the high nibble), offset 8.
#include "model/convert_weight_encoding.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/half.h"

namespace sdn {

namespace {

void put_f16(uint8_t* p, float v) {
    const uint16_t h = f32_to_f16(v);
    std::memcpy(p, &h, 2);
}

void encode_q8_0(const float* x, int64_t n, uint8_t* out) {
    for (int64_t b = 0; b < n / 32; ++b, x += 32, out += 34) {
        float amax = 0;
        for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[i]));
        const float d = amax / 127.0f;
        const float inv = d != 0 ? 1.0f / d : 0.0f;
        put_f16(out, d);
        for (int i = 0; i < 32; ++i)
            out[2 + i] = static_cast<uint8_t>(static_cast<int8_t>(std::lround(x[i] * inv)));
    }
}

void encode_q4_0(const float* x, int64_t n, uint8_t* out) {
    for (int64_t b = 0; b < n / 32; ++b, x += 32, out += 18) {
        // The scale maps the value of largest magnitude to code 0 (-8), keeping its sign.
        float amax = 0, vmax = 0;
        for (int i = 0; i < 32; ++i)
            if (std::fabs(x[i]) > amax) amax = std::fabs(x[i]), vmax = x[i];
        const float d = vmax / -8.0f;
        const float inv = d != 0 ? 1.0f / d : 0.0f;
        put_f16(out, d);
        for (int i = 0; i < 16; ++i) {
            const int lo = std::min(15, static_cast<int>(x[i] * inv + 8.5f));
            const int hi = std::min(15, static_cast<int>(x[i + 16] * inv + 8.5f));
            out[2 + i] = static_cast<uint8_t>(lo | (hi << 4));
        }
    }
}

}  // namespace

std::vector<uint8_t> encode_weight(const float* values, int64_t n, int64_t row_len, DType type) {
    std::vector<uint8_t> out;
    switch (type) {
        case DType::F32:
            out.resize(static_cast<size_t>(n) * 4);
            std::memcpy(out.data(), values, out.size());
            return out;
        case DType::F16:
            out.resize(static_cast<size_t>(n) * 2);
            for (int64_t i = 0; i < n; ++i) put_f16(out.data() + 2 * i, values[i]);
            return out;
        case DType::BF16:
            out.resize(static_cast<size_t>(n) * 2);
            for (int64_t i = 0; i < n; ++i) {
                const uint16_t h = f32_to_bf16(values[i]);
                std::memcpy(out.data() + 2 * i, &h, 2);
            }
            return out;
        case DType::Q8_0:
        case DType::Q4_0: {
            SDN_REQUIRE(row_len > 0 && row_len % 32 == 0 && n % row_len == 0,
                        SDN_ERR_INVALID_ARGUMENT, "quantized rows must be whole 32-value blocks");
            const bool q8 = type == DType::Q8_0;
            out.resize(static_cast<size_t>(n / 32 * (q8 ? 34 : 18)));
            if (q8) encode_q8_0(values, n, out.data());
            else encode_q4_0(values, n, out.data());
            return out;
        }
        default:
            fail(SDN_ERR_UNSUPPORTED, std::string("cannot write weights of type ") +
                                          dtype_traits(type).name);
    }
}

}  // namespace sdn
