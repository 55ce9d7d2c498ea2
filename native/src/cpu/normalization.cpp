// group_norm and layer_norm: statistics in double over float lanes (two passes around the
// mean), then one fused scale/shift(/SiLU) pass per channel.
#include <cmath>
#include <vector>

#include "core/error.h"
#include "cpu/ops.h"
#include "cpu/weight_rows.h"

namespace sdn::ops {

void group_norm(Context& ctx, const float* x, int64_t B, int64_t C, int64_t HW, int groups,
                float eps, const WeightRef* gamma, const WeightRef* beta, float* y, bool silu) {
    SDN_REQUIRE(groups > 0 && C % groups == 0, SDN_ERR_INVALID_ARGUMENT,
                "group_norm: channels must divide into groups");
    const cpu::KernelTable& kt = cpu::kernels(ctx);
    std::vector<float> g, b;
    if (gamma && gamma->valid()) g = cpu::weight_vector_f32(kt, *gamma);
    if (beta && beta->valid()) b = cpu::weight_vector_f32(kt, *beta);
    SDN_REQUIRE((g.empty() || (int64_t)g.size() == C) && (b.empty() || (int64_t)b.size() == C),
                SDN_ERR_INVALID_ARGUMENT, "group_norm: gamma/beta size mismatch");
    const int64_t per_group = C / groups;
    const int64_t n = per_group * HW;
    ctx.pool().parallel_for(B * groups, [&](int64_t task, int) {
        const int64_t bi = task / groups, gi = task % groups;
        const int64_t c0 = gi * per_group;
        const float* xg = x + (bi * C + c0) * HW;
        double sum, sq;
        kt.sum_and_centered_squares(xg, n, 0.0f, &sum, &sq);
        const float rough_mean = static_cast<float>(sum / n);
        kt.sum_and_centered_squares(xg, n, rough_mean, &sum, &sq);
        const double shift_mean = sum / n;
        const double var = sq / n - shift_mean * shift_mean;
        const double mean = rough_mean + shift_mean;
        const double rstd = 1.0 / std::sqrt(var + eps);
        for (int64_t c = c0; c < c0 + per_group; ++c) {
            const double scale = rstd * (g.empty() ? 1.0 : g[c]);
            const double shift = b.empty() ? 0.0 : b[c];
            kt.scale_shift(x + (bi * C + c) * HW, HW, static_cast<float>(mean), static_cast<float>(scale),
                           static_cast<float>(shift), silu, y + (bi * C + c) * HW);
        }
    });
}

void layer_norm(Context& ctx, const float* x, int64_t rows, int64_t dim, float eps,
                const WeightRef* gamma, const WeightRef* beta, float* y) {
    const cpu::KernelTable& kt = cpu::kernels(ctx);
    std::vector<float> g, b;
    if (gamma && gamma->valid()) g = cpu::weight_vector_f32(kt, *gamma);
    if (beta && beta->valid()) b = cpu::weight_vector_f32(kt, *beta);
    SDN_REQUIRE((g.empty() || (int64_t)g.size() == dim) && (b.empty() || (int64_t)b.size() == dim),
                SDN_ERR_INVALID_ARGUMENT, "layer_norm: gamma/beta size mismatch");
    const float* gp = g.empty() ? nullptr : g.data();
    const float* bp = b.empty() ? nullptr : b.data();
    ctx.pool().parallel_range(rows, [&](int64_t r0, int64_t r1, int) {
        for (int64_t r = r0; r < r1; ++r) kt.layer_norm_row(x + r * dim, dim, eps, gp, bp, y + r * dim);
    });
}

void softmax_rows(Context& ctx, float* x, int64_t rows, int64_t n) {
    const cpu::KernelTable& kt = cpu::kernels(ctx);
    ctx.pool().parallel_range(rows, [&](int64_t r0, int64_t r1, int) {
        for (int64_t r = r0; r < r1; ++r) kt.softmax_row(x + r * n, n);
    });
}

}  // namespace sdn::ops
