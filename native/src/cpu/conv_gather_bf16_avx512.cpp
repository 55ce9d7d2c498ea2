// The conv's B operand gathered straight into the bf16 GEMM's packed layout (see
// cpu/conv_geometry.h). Most halves of a panel (16 output pixels) lie on one output row, so
// each of their K rows is one masked vector load from one input row (a strided gather for
// stride 2); two such rows become one pair-interleaved bf16 row with one conversion and one
// permute. Halves that cross output rows (images narrower than 16 pixels or not a multiple of
// 16 wide) take a per-pixel path.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own masked-load intrinsics as maybe-uninitialized (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "cpu/bf16_pack.h"
#include "cpu/conv_geometry.h"

namespace sdn::ops {

namespace {

using cpu::bf16::lanes16;

// Walks the taps (c, ky, kx) of K in order, starting at tap k0.
struct TapCursor {
    int64_t c, ky, kx;
    TapCursor(const ConvGeometry& g, int64_t k0) {
        const int64_t taps = g.k * g.k;
        c = k0 / taps;
        ky = (k0 % taps) / g.k;
        kx = k0 % g.k;
    }
    void advance(int64_t k) {
        if (++kx < k) return;
        kx = 0;
        if (++ky < k) return;
        ky = 0;
        ++c;
    }
};

// Reads the K rows of one half whose n pixels lie on output row oy, columns ox.., of the
// image at `image`: per kernel column kx one lane mask (the pixels whose input column is
// inside the image), per kernel row ky whether the input row is inside it.
class RowRunReader {
public:
    RowRunReader(const ConvGeometry& g, const float* image, int64_t oy, int64_t ox, int n, int64_t k0)
        : g_(g), image_(image), tap_(g, k0) {
        for (int64_t kx = 0; kx < g.k; ++kx) {
            const int64_t ix0 = ox * g.stride + kx - g.pad;
            // Output positions t whose input column ix0 + t * stride lies inside [0, W).
            const int64_t t_begin = ix0 >= 0 ? 0 : (-ix0 + g.stride - 1) / g.stride;
            const int64_t t_end = ix0 >= g.W ? 0 : std::min<int64_t>(n, (g.W - 1 - ix0) / g.stride + 1);
            column_mask_[kx] = static_cast<__mmask16>(lanes16(t_end) & ~lanes16(t_begin));
            column_[kx] = ix0;
        }
        for (int64_t ky = 0; ky < g.k; ++ky) {
            const int64_t iy = oy * g.stride + ky - g.pad;
            row_inside_[ky] = iy >= 0 && iy < g.H;
            row_[ky] = iy * g.W;
        }
    }

    // The next K row's 16 values (zero outside the image and past n).
    __m512 next() {
        const __mmask16 m = row_inside_[tap_.ky] ? column_mask_[tap_.kx] : __mmask16(0);
        __m512 v = _mm512_setzero_ps();
        if (m) {
            // Masked-off lanes are never read, so the start may lie before the row.
            const int64_t offset = tap_.c * g_.H * g_.W + row_[tap_.ky] + column_[tap_.kx];
            const float* at = image_ + offset;
            if (g_.stride == 1) {
                // The next panel reads the 32 floats after these: start fetching them now, so
                // the hundreds of input rows one panel touches are not each a cache miss.
                _mm_prefetch(reinterpret_cast<const char*>(at + 32), _MM_HINT_T0);
                _mm_prefetch(reinterpret_cast<const char*>(at + 47), _MM_HINT_T0);
                v = _mm512_maskz_loadu_ps(m, at);
            } else {
                const __m512i step = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                        _mm512_set1_epi32(static_cast<int32_t>(g_.stride)));
                v = _mm512_mask_i32gather_ps(v, m, step, at, 4);
            }
        }
        tap_.advance(g_.k);
        return v;
    }

private:
    const ConvGeometry& g_;
    const float* image_;
    TapCursor tap_;
    __mmask16 column_mask_[3];
    int64_t column_[3];
    bool row_inside_[3];
    int64_t row_[3];
};

// The same rows for a half whose pixels span output rows (or images): pixel by pixel.
class PixelReader {
public:
    PixelReader(const ConvGeometry& g, const float* x, int64_t p, int n, int64_t k0) : g_(g), n_(n), tap_(g, k0) {
        const int64_t P = g.Ho * g.Wo;
        for (int j = 0; j < n; ++j, ++p) {
            const int64_t q = p % P;
            image_[j] = x + (p / P) * g.C * g.H * g.W;
            y0_[j] = (q / g.Wo) * g.stride - g.pad;
            x0_[j] = (q % g.Wo) * g.stride - g.pad;
        }
    }

    __m512 next() {
        alignas(64) float v[16] = {};
        for (int j = 0; j < n_; ++j) {
            const int64_t iy = y0_[j] + tap_.ky, ix = x0_[j] + tap_.kx;
            if (iy >= 0 && iy < g_.H && ix >= 0 && ix < g_.W) v[j] = image_[j][(tap_.c * g_.H + iy) * g_.W + ix];
        }
        tap_.advance(g_.k);
        return _mm512_load_ps(v);
    }

private:
    const ConvGeometry& g_;
    int n_;
    TapCursor tap_;
    const float* image_[16];
    int64_t y0_[16], x0_[16];
};

// One half: rows k, k + 1 of the reader pair-interleaved, zero from kc to kc_pad.
template <typename Reader>
void write_half(Reader& reader, int64_t kc, int64_t kc_pad, uint16_t* half) {
    const __m512 zero = _mm512_setzero_ps();
    for (int64_t k = 0; k < kc_pad; k += 2) {
        const __m512 a = k < kc ? reader.next() : zero;
        const __m512 b = k + 1 < kc ? reader.next() : zero;
        _mm512_store_si512(half + k * 16, cpu::bf16::interleave_pairs(a, b));
    }
}

}  // namespace

void gather_panel_bf16(const ConvGeometry& g, const float* x, int64_t p0, int64_t cols, int64_t k0,
                       int64_t kc, int64_t kc_pad, uint16_t* dst) {
    const int64_t P = g.Ho * g.Wo;
    for (int h = 0; h < 2; ++h) {
        uint16_t* half = dst + h * kc_pad * 16;
        const int n = static_cast<int>(std::min<int64_t>(16, cols - 16 * h));
        if (n <= 0) {
            std::memset(half, 0, static_cast<size_t>(kc_pad) * 32);
            continue;
        }
        const int64_t p = p0 + 16 * h, q = p % P, oy = q / g.Wo, ox = q % g.Wo;
        if (ox + n <= g.Wo) {
            RowRunReader reader(g, x + (p / P) * g.C * g.H * g.W, oy, ox, n, k0);
            write_half(reader, kc, kc_pad, half);
        } else {
            PixelReader reader(g, x, p, n, k0);
            write_half(reader, kc, kc_pad, half);
        }
    }
}

}  // namespace sdn::ops
