// The denoiser the samplers see during a KSampler run: ComfyUI's sampling_function for an
// EPS or V-prediction model (SDXL: with each entry's ADM vector). It evaluates every active conditioning entry on its area, batches entries
// whose inputs have the same shape into one model call (cond and uncond together), averages
// overlapping entries weighted by strength x mask x edge ramp, and combines cond and uncond
// with classifier-free guidance on the denoised predictions.
#pragma once

#include <vector>

#include "core/context.h"
#include "core/diffusion_model.h"
#include "core/tensor.h"
#include "sigma_schedule.h"

namespace sdn {

// One entry of a CONDITIONING list.
struct Conditioning {
    const Tensor* tokens = nullptr;  // [1 or B, T, width]
    bool has_area = false;           // area in latent pixels
    int64_t area_h = 0, area_w = 0, area_y = 0, area_x = 0;
    const Tensor* mask = nullptr;  // [H, W] / [N, H, W] / [N, 1, H, W], any size; may be null
    bool set_area_to_bounds = false;  // area = the mask's bounding box at latent size
    double strength = 1.0;
    double start_percent = 0.0;
    double end_percent = 1.0;
    // SDXL: the pooled text output and the size conditioning in pixels, used as given when
    // has_size (else the latent's size, no crop, targets = size); aesthetic_score < 0 = not
    // given.
    const Tensor* pooled = nullptr;
    bool has_size = false;
    int64_t width = 0, height = 0, crop_w = 0, crop_h = 0, target_width = 0, target_height = 0;
    double aesthetic_score = -1.0;
};

class CfgDenoiser {
public:
    // latent_shape: [B, C, h, w] of the sampled latent. always_uncond evaluates the uncond
    // side even at cfg 1 (CFG++ samplers need it; ComfyUI's disable_cfg1_optimization).
    CfgDenoiser(Context& ctx, DiffusionModel& model, const DiscreteSchedule& schedule,
                const std::vector<Conditioning>& positive, const std::vector<Conditioning>& negative,
                double cfg, const std::vector<int64_t>& latent_shape, bool always_uncond = false);

    // denoised = guided prediction for x at sigma; uncond_out (optional) receives the uncond
    // prediction (zero when the uncond side was skipped).
    void operator()(const Tensor& x, double sigma, Tensor& denoised, Tensor* uncond_out = nullptr);

    int model_calls() const { return model_calls_; }
    // ModelSamplingDiscrete's override; SDN_PREDICTION_DEFAULT keeps the model's own.
    void set_prediction(sdn_prediction p) {
        if (p != SDN_PREDICTION_DEFAULT) prediction_ = p;
    }

private:
    struct Entry {
        const Tensor* tokens;
        bool has_area;
        int64_t area[4];      // h, w, y, x
        Tensor mask;          // [N, h, w] at latent size, or empty
        double strength;
        double sigma_start;   // entry active while sigma <= sigma_start ...
        double sigma_end;     // ... and sigma >= sigma_end
        std::vector<float> adm;  // the model's ADM vector for this entry, or empty
    };
    struct Job;

    Entry make_entry(const Conditioning& c, bool negative) const;
    static void set_area_to_mask_bounds(Entry& e);
    void add_same_area_counterparts(std::vector<Entry>& to, const std::vector<Entry>& from);
    void run_side_jobs(const Tensor& x, double sigma, std::vector<Job>& jobs, std::vector<Tensor>& out,
                       std::vector<Tensor>& count);

    Context& ctx_;
    DiffusionModel& model_;
    const DiscreteSchedule& schedule_;
    std::vector<Entry> sides_[2];  // 0: positive, 1: negative
    double cfg_;
    bool skip_uncond_;
    std::vector<int64_t> shape_;
    int model_calls_ = 0;
    sdn_prediction prediction_ = SDN_PREDICTION_EPS;
};

}  // namespace sdn
