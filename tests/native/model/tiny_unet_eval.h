// One evaluation of a tiny UNet as each sampler step calls it: a batch of two (cond and
// uncond) at a high and a low timestep, on fixed random latents and context. Shared by the
// tests that compare a whole evaluation between cpu variants.
#pragma once

#include <algorithm>
#include <vector>

#include "core/context.h"
#include "model/unet_model.h"
#include "unet_test_weights.h"

namespace unet_test {

inline std::vector<float> tiny_unet_eps(sdn::UnetModel& unet, sdn::Context& ctx) {
    sdn::Tensor x({2, 4, 8, 8}), context({2, 7, 64});
    const auto xv = random_values(static_cast<size_t>(x.size()), 21);
    const auto cv = random_values(static_cast<size_t>(context.size()), 22);
    std::copy(xv.begin(), xv.end(), x.data());
    std::copy(cv.begin(), cv.end(), context.data());
    sdn::Tensor eps;
    unet.predict_eps(ctx, x, {999.0f, 20.0f}, context, eps);
    return std::vector<float>(eps.data(), eps.data() + eps.size());
}

}  // namespace unet_test
