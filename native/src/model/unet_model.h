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
    // num_heads / head_dim: SD1 uses 8 heads at every width; SD2 and SDXL 64-wide heads
    // (num_heads 0, head_dim 64).
    // keepalive owns the memory the lookup's weights point into.
    // Throws Error(SDN_ERR_FORMAT) listing every missing tensor or misfit shape.
    static std::unique_ptr<UnetModel> load(const WeightLookup& lookup, const std::string& prefix,
                                           std::shared_ptr<void> keepalive,
                                           int64_t num_heads = 8, int64_t head_dim = 0);

    void predict_eps(Context& ctx, const Tensor& x_in, const std::vector<float>& timesteps,
                     const Tensor& context, Tensor& eps_out) override;
    void predict(Context& ctx, const Tensor& x_in, const std::vector<float>& timesteps,
                 const Tensor& context, const Tensor* y, Tensor& out) override;
    int latent_channels() const override { return static_cast<int>(w_.config.in_channels); }
    LatentFormat latent_format() const override { return latent_format_; }
    sdn_prediction prediction() const override { return prediction_; }
    int64_t adm_channels() const override { return w_.config.adm_in_channels; }
    void encode_adm(const AdmInput& in, float* y) const override;

    // What detection found about the file: the architecture (SDXL's latent format and, for
    // the refiner, the ADM layout) and the prediction type.
    void set_architecture(sdn_arch arch, sdn_prediction prediction);

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
    LatentFormat latent_format_ = LatentFormat::Sd15;
    sdn_prediction prediction_ = SDN_PREDICTION_EPS;
    bool refiner_ = false;
    std::set<std::string> used_;
    std::vector<const WeightRef*> resident_;  // every used weight, made resident per backend
    // Lives as long as this model: backends drop their resident copies once it expires.
    std::shared_ptr<const void> residency_ = std::make_shared<char>();
    std::shared_ptr<void> keepalive_;
};

}  // namespace sdn
