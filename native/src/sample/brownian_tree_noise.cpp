#include "brownian_tree_noise.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace sdn {

namespace {

// False when the schedule spans no tree time (one non-zero sigma, or two that round alike):
// every query then clamps to a zero-length interval, so all noise is zero and no tree is built.
bool spans_a_tree(float sigma_min, float sigma_max) {
    SDN_REQUIRE(std::isfinite(sigma_min) && std::isfinite(sigma_max) && sigma_min <= sigma_max,
                SDN_ERR_INVALID_ARGUMENT, "SDE noise needs finite sigma_min <= sigma_max");
    return round6(sigma_min) < round6(sigma_max);
}

}  // namespace

BrownianTreeNoise::BrownianTreeNoise(uint64_t seed, float sigma_min, float sigma_max,
                                     const std::vector<int64_t>& shape) {
    if (spans_a_tree(sigma_min, sigma_max)) trees_.emplace_back(seed, sigma_min, sigma_max, shape);
}

BrownianTreeNoise::BrownianTreeNoise(const std::vector<uint64_t>& seeds, float sigma_min, float sigma_max,
                                     const std::vector<int64_t>& shape) {
    SDN_REQUIRE(shape.size() >= 2 && static_cast<int64_t>(seeds.size()) == shape[0], SDN_ERR_INVALID_ARGUMENT,
                "one seed per batch item is required");
    const std::vector<int64_t> item_shape(shape.begin() + 1, shape.end());
    if (!spans_a_tree(sigma_min, sigma_max)) return;
    for (uint64_t seed : seeds) trees_.emplace_back(seed, sigma_min, sigma_max, item_shape);
}

void BrownianTreeNoise::operator()(double sigma, double sigma_next, Tensor& out) {
    if (trees_.empty()) {
        std::fill(out.data(), out.data() + out.size(), 0.0f);
        return;
    }
    const float s = static_cast<float>(sigma), s_next = static_cast<float>(sigma_next);
    const float divisor = std::sqrt(std::fabs(s_next - s));  // float32 subtract, abs, sqrt
    // BatchedBrownianTree asks the tree for the ascending pair and flips the sign back.
    const bool descending = s > s_next;
    const double ta = descending ? s_next : s, tb = descending ? s : s_next;
    float* o = out.data();
    int64_t offset = 0;
    for (BrownianTree& tree : trees_) {
        const Tensor w = tree.increment(ta, tb);
        SDN_REQUIRE(offset + w.size() <= out.size(), SDN_ERR_INVALID_ARGUMENT,
                    "noise tensor is smaller than the Brownian tree");
        for (int64_t k = 0; k < w.size(); ++k) {
            const float signed_w = descending ? -w.data()[k] : w.data()[k];
            // A zero-length step has no noise (torch would divide 0 by 0).
            o[offset + k] = divisor == 0.0f ? 0.0f : signed_w / divisor;
        }
        offset += w.size();
    }
    SDN_REQUIRE(offset == out.size(), SDN_ERR_INVALID_ARGUMENT, "noise tensor does not match the Brownian tree");
}

}  // namespace sdn
