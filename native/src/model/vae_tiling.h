// Tiled processing of one image or latent, blended exactly as ComfyUI's tiled_scale_multidim
// (the VAEEncodeTiled / VAEDecodeTiled semantics, comfy-compat spec section 1.5):
//  - along a dimension longer than its tile, starts are range(0, size - overlap,
//    tile - overlap), each clamped to <= size - overlap; a tile is min(tile, size - start)
//    long; a dimension that fits gets the single start 0;
//  - each tile's output is feathered on all four edges by a linear ramp (t+1)/feather over
//    feather = round(overlap * scale) output units (skipped where feather >= the tile's
//    output length), and the result is sum(tile * mask) / sum(mask);
//  - an input that fits in one tile is processed by a single call, without a mask.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/context.h"
#include "core/tensor.h"

namespace sdn::vae {

// Output units per input unit, as a fraction: 8/1 for decoding, 1/8 for encoding.
struct TileScale {
    int64_t num = 1;
    int64_t den = 1;
};

// Tile starts along one dimension (before the clamp is applied, as listed by range()).
// Throws Error(SDN_ERR_INVALID_ARGUMENT) when the dimension needs tiling and tile <= overlap.
std::vector<int64_t> tile_starts(int64_t size, int64_t tile, int64_t overlap);

// How many function calls tiled_apply makes for an input of H x W.
int64_t tile_call_count(int64_t H, int64_t W, int64_t tile_h, int64_t tile_w, int64_t overlap);

// Round half to even, as Python's round().
int64_t round_half_even(double x);

// fn maps an input crop [1, C, h, w] to [1, out_channels, h*scale, w*scale].
using TileFunction = std::function<Tensor(const Tensor& crop)>;

// input is [1, C, H, W]; returns [1, out_channels, round(H*scale), round(W*scale)].
Tensor tiled_apply(Context& ctx, const Tensor& input, int64_t tile_h, int64_t tile_w,
                   int64_t overlap, TileScale scale, int64_t out_channels,
                   const TileFunction& fn);

}  // namespace sdn::vae
