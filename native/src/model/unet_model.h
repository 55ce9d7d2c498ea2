// The SD1.x UNet (LDM openaimodel layout) as a DiffusionModel: eps prediction for a batch of
// latents, timesteps and cross-attention contexts. Widths, depths and levels are read from
// the weights; the weights stay where the lookup found them (usually a memory mapping).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/diffusion_model.h"
#include "model/unet_weights.h"

namespace sdn {

class UnetModel : public DiffusionModel {
public:
    // prefix: "model.diffusion_model." in a checkpoint, "" in a UNet-only file.
    // num_heads / head_dim: SD1 uses 8 heads at every width; SD2 64-wide heads (num_heads 0).
    // keepalive owns the memory the lookup's weights point into.
    // Throws Error(SDN_ERR_FORMAT) listing every missing tensor or misfit shape.
    static std::unique_ptr<UnetModel> load(const WeightLookup& lookup, const std::string& prefix,
                                           std::shared_ptr<void> keepalive,
                                           int64_t num_heads = 8, int64_t head_dim = 0);

    void predict_eps(Context& ctx, const Tensor& x_in, const std::vector<float>& timesteps,
                     const Tensor& context, Tensor& eps_out) override;
    int latent_channels() const override { return static_cast<int>(w_.config.in_channels); }

    const unet::UnetConfig& config() const { return w_.config; }
    const unet::UnetWeights& weights() const { return w_; }
    // Full names of every tensor the UNet reads.
    const std::set<std::string>& used_tensors() const { return used_; }
    // Progress steps of one evaluation (input blocks + middle + output blocks + out).
    int block_count() const {
        return static_cast<int>(w_.input_blocks.size() + w_.output_blocks.size()) + 2;
    }

private:
    unet::UnetWeights w_;
    std::set<std::string> used_;
    std::vector<const WeightRef*> resident_;  // every used weight, made resident per backend
    // Lives as long as this model: backends drop their resident copies once it expires.
    std::shared_ptr<const void> residency_ = std::make_shared<char>();
    std::shared_ptr<void> keepalive_;
};

}  // namespace sdn
