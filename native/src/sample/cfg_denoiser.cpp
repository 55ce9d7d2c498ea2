#include "cfg_denoiser.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "mask_resize.h"

namespace sdn {

namespace {

// Python's math.isclose(a, b) with its default rel_tol 1e-9.
bool isclose(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b)); }

int64_t lcm64(int64_t a, int64_t b) { return a / std::gcd(a, b) * b; }

// Cross-attention conds of different lengths batch together when padding one by repetition
// to the least common multiple costs at most 4x (comfy/conds.py CONDCrossAttn.can_concat).
bool tokens_can_concat(const Tensor& a, const Tensor& b) {
    if (a.dim(2) != b.dim(2)) return false;
    const int64_t ta = a.dim(1), tb = b.dim(1);
    if (ta == tb) return true;
    return lcm64(ta, tb) / std::min(ta, tb) <= 4;
}

}  // namespace

struct CfgDenoiser::Job {
    int side;
    const Entry* entry;
    int64_t h, w, y, x;  // input crop
    Tensor mult;         // [B, h, w]
};

CfgDenoiser::CfgDenoiser(Context& ctx, DiffusionModel& model, const DiscreteSchedule& schedule,
                         const std::vector<Conditioning>& positive,
                         const std::vector<Conditioning>& negative, double cfg,
                         const std::vector<int64_t>& latent_shape, bool always_uncond)
    : ctx_(ctx), model_(model), schedule_(schedule), cfg_(cfg),
      skip_uncond_(isclose(cfg, 1.0) && !always_uncond),
      shape_(latent_shape), prediction_(model.prediction()) {
    for (const auto& c : positive) sides_[0].push_back(make_entry(c, false));
    for (const auto& c : negative) sides_[1].push_back(make_entry(c, true));
    // Every area entry gets a counterpart with the same area on the other side
    // (create_cond_with_same_area_if_none): positives first, then negatives.
    add_same_area_counterparts(sides_[1], sides_[0]);
    add_same_area_counterparts(sides_[0], sides_[1]);
}

CfgDenoiser::Entry CfgDenoiser::make_entry(const Conditioning& c, bool negative) const {
    SDN_REQUIRE(c.tokens != nullptr && c.tokens->n_dims() == 3, SDN_ERR_INVALID_ARGUMENT,
                "conditioning tokens must be [1, tokens, width]");
    Entry e{};
    e.tokens = c.tokens;
    e.has_area = c.has_area;
    if (c.has_area) {
        SDN_REQUIRE(c.area_h > 0 && c.area_w > 0 && c.area_y >= 0 && c.area_x >= 0,
                    SDN_ERR_INVALID_ARGUMENT, "conditioning area must have positive size");
        e.area[0] = c.area_h;
        e.area[1] = c.area_w;
        e.area[2] = c.area_y;
        e.area[3] = c.area_x;
    }
    if (c.mask) {
        e.mask = mask_to_latent_size(*c.mask, shape_[2], shape_[3]);
        if (c.set_area_to_bounds) set_area_to_mask_bounds(e);
    }
    e.strength = c.strength;
    e.sigma_start = schedule_.percent_to_sigma(c.start_percent);
    e.sigma_end = schedule_.percent_to_sigma(c.end_percent);
    if (const int64_t adm = model_.adm_channels(); adm > 0) {
        // encode_model_conds: the size defaults to the latent's (x8), targets to the size;
        // the refiner's aesthetic score to 6, or 2.5 for a negative prompt.
        AdmInput in;
        in.pooled = c.pooled;
        in.width = static_cast<double>(c.has_size ? c.width : shape_[3] * 8);
        in.height = static_cast<double>(c.has_size ? c.height : shape_[2] * 8);
        in.crop_w = c.has_size ? static_cast<double>(c.crop_w) : 0.0;
        in.crop_h = c.has_size ? static_cast<double>(c.crop_h) : 0.0;
        in.target_width = c.has_size ? static_cast<double>(c.target_width) : in.width;
        in.target_height = c.has_size ? static_cast<double>(c.target_height) : in.height;
        in.aesthetic_score = c.aesthetic_score >= 0.0 ? c.aesthetic_score : (negative ? 2.5 : 6.0);
        e.adm.resize(static_cast<size_t>(adm));
        model_.encode_adm(in, e.adm.data());
    }
    return e;
}

void CfgDenoiser::set_area_to_mask_bounds(Entry& e) {
    // ComfyUI (resolve_areas_and_cond_masks_multidim): the box holding every non-zero value
    // of any mask in the batch, grown to at least 8x8 latent pixels; an all-zero mask gets the
    // smallest area (8, 8, 0, 0), which then contributes nothing.
    const int64_t n = e.mask.dim(0), h = e.mask.dim(1), w = e.mask.dim(2);
    int64_t y0 = h, y1 = -1, x0 = w, x1 = -1;
    for (int64_t b = 0; b < n; ++b)
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x) {
                if (e.mask.data()[(b * h + y) * w + x] == 0.0f) continue;
                y0 = std::min(y0, y);
                y1 = std::max(y1, y);
                x0 = std::min(x0, x);
                x1 = std::max(x1, x);
            }
    e.has_area = true;
    if (y1 < 0) {
        e.area[0] = 8, e.area[1] = 8, e.area[2] = 0, e.area[3] = 0;
        return;
    }
    e.area[0] = std::max<int64_t>(8, y1 - y0 + 1);
    e.area[1] = std::max<int64_t>(8, x1 - x0 + 1);
    e.area[2] = y0;
    e.area[3] = x0;
}

void CfgDenoiser::add_same_area_counterparts(std::vector<Entry>& to, const std::vector<Entry>& from) {
    const std::vector<Entry> snapshot = from;
    for (const Entry& c : snapshot) {
        if (!c.has_area) continue;
        auto inside = [&](const Entry& outer) {
            return c.area[2] >= outer.area[2] && c.area[3] >= outer.area[3] &&
                   c.area[0] + c.area[2] <= outer.area[0] + outer.area[2] &&
                   c.area[1] + c.area[3] <= outer.area[1] + outer.area[3];
        };
        const Entry* smallest = nullptr;
        for (const Entry& x : to) {
            if (x.has_area) {
                if (!inside(x)) continue;
                if (!smallest || !smallest->has_area ||
                    smallest->area[0] * smallest->area[1] > x.area[0] * x.area[1])
                    smallest = &x;
            } else if (!smallest) {
                smallest = &x;
            }
        }
        if (!smallest) continue;
        if (smallest->has_area && std::equal(smallest->area, smallest->area + 4, c.area)) continue;
        Entry copy = c;  // c's area, mask, strength and range with the other side's tokens
        copy.tokens = smallest->tokens;
        copy.adm = smallest->adm;
        to.push_back(std::move(copy));
    }
}

void CfgDenoiser::operator()(const Tensor& x, double sigma, Tensor& denoised, Tensor* uncond_out) {
    const int64_t B = shape_[0], C = shape_[1], H = shape_[2], W = shape_[3];
    std::vector<Job> jobs;
    const int n_sides = skip_uncond_ ? 1 : 2;
    for (int side = 0; side < n_sides; ++side) {
        for (const Entry& e : sides_[side]) {
            if (sigma > e.sigma_start || sigma < e.sigma_end) continue;
            Job j{side, &e, H, W, 0, 0, Tensor()};
            if (e.has_area) {
                j.y = std::min(e.area[2], H - 1);
                j.x = std::min(e.area[3], W - 1);
                j.h = std::max<int64_t>(1, std::min(H - j.y, e.area[0]));
                j.w = std::max<int64_t>(1, std::min(W - j.x, e.area[1]));
            }
            j.mult.reset({B, j.h, j.w});
            for (int64_t b = 0; b < B; ++b) {
                for (int64_t yy = 0; yy < j.h; ++yy)
                    for (int64_t xx = 0; xx < j.w; ++xx) {
                        float m = static_cast<float>(e.strength);
                        if (!e.mask.empty()) {
                            const int64_t mb = b % e.mask.dim(0);
                            m *= e.mask.data()[(mb * H + j.y + yy) * W + j.x + xx];
                        }
                        j.mult.data()[(b * j.h + yy) * j.w + xx] = m;
                    }
            }
            if (e.has_area && e.mask.empty()) {
                // Linear ramp over the interior edges of the area, min(8, size/4) pixels wide.
                const int64_t size[2] = {j.h, j.w}, off[2] = {j.y, j.x}, full[2] = {H, W};
                for (int axis = 0; axis < 2; ++axis) {
                    const int64_t rr = std::min<int64_t>(8, size[axis] / 4);
                    auto scale_line = [&](int64_t pos, float f) {
                        for (int64_t b = 0; b < B; ++b)
                            for (int64_t o = 0; o < size[1 - axis]; ++o) {
                                const int64_t yy = axis == 0 ? pos : o, xx = axis == 0 ? o : pos;
                                j.mult.data()[(b * j.h + yy) * j.w + xx] *= f;
                            }
                    };
                    if (off[axis] != 0)
                        for (int64_t t = 0; t < rr; ++t) scale_line(t, static_cast<float>((1.0 / rr) * (t + 1)));
                    if (size[axis] + off[axis] < full[axis])
                        for (int64_t t = 0; t < rr; ++t)
                            scale_line(size[axis] - 1 - t, static_cast<float>((1.0 / rr) * (t + 1)));
                }
            }
            jobs.push_back(std::move(j));
        }
    }

    std::vector<Tensor> out(2), count(2);
    for (int s = 0; s < 2; ++s) {
        out[s].reset({B, C, H, W});
        count[s].reset({B, C, H, W});
        std::fill(count[s].data(), count[s].data() + count[s].size(), 1e-37f);
    }
    run_side_jobs(x, sigma, jobs, out, count);

    if (denoised.shape() != x.shape()) denoised.reset(x.shape());
    const int64_t n = x.size();
    float* d = denoised.data();
    const float* co = out[0].data();
    const float* cc = count[0].data();
    if (uncond_out) uncond_out->reset(x.shape());
    if (skip_uncond_) {
        for (int64_t k = 0; k < n; ++k) d[k] = co[k] / cc[k];
        return;
    }
    const float* uo = out[1].data();
    const float* uc = count[1].data();
    if (uncond_out)
        for (int64_t k = 0; k < n; ++k) uncond_out->data()[k] = uo[k] / uc[k];
    const float g = static_cast<float>(cfg_);
    for (int64_t k = 0; k < n; ++k) {
        const float cond = co[k] / cc[k], uncond = uo[k] / uc[k];
        d[k] = uncond + (cond - uncond) * g;
    }
}

void CfgDenoiser::run_side_jobs(const Tensor& x, double sigma, std::vector<Job>& jobs,
                                std::vector<Tensor>& out, std::vector<Tensor>& count) {
    const int64_t B = shape_[0], C = shape_[1], H = shape_[2], W = shape_[3];
    const double c_in = 1.0 / std::sqrt(sigma * sigma + 1.0);
    // x0 from the model output: EPS x - eps*sigma; V (sigma_data 1)
    // x/(sigma^2+1) - v*sigma/sqrt(sigma^2+1).
    const bool v_pred = prediction_ == SDN_PREDICTION_V;
    const double x_mult = v_pred ? 1.0 / (sigma * sigma + 1.0) : 1.0;
    const double out_mult = v_pred ? sigma * c_in : sigma;
    const float timestep = static_cast<float>(schedule_.timestep(sigma));
    std::vector<bool> done(jobs.size(), false);
    for (size_t first = 0; first < jobs.size(); ++first) {
        if (done[first]) continue;
        // Gather every pending job with the same crop shape and compatible tokens.
        std::vector<size_t> group = {first};
        done[first] = true;
        for (size_t k = first + 1; k < jobs.size(); ++k) {
            if (done[k] || jobs[k].h != jobs[first].h || jobs[k].w != jobs[first].w) continue;
            bool ok = true;
            for (size_t g : group) ok = ok && tokens_can_concat(*jobs[g].entry->tokens, *jobs[k].entry->tokens);
            if (!ok) continue;
            group.push_back(k);
            done[k] = true;
        }
        const int64_t h = jobs[first].h, w = jobs[first].w;
        const auto nb = static_cast<int64_t>(group.size()) * B;
        int64_t tokens = 1;
        for (size_t g : group) tokens = lcm64(tokens, jobs[g].entry->tokens->dim(1));
        const int64_t width = jobs[first].entry->tokens->dim(2);

        Tensor x_in({nb, C, h, w});
        Tensor context({nb, tokens, width});
        const int64_t adm = model_.adm_channels();
        Tensor y;
        if (adm > 0) y.reset({nb, adm});
        for (size_t gi = 0; gi < group.size(); ++gi) {
            const Job& j = jobs[group[gi]];
            const Tensor& tk = *j.entry->tokens;
            const int64_t tlen = tk.dim(1), tb = tk.dim(0);
            for (int64_t b = 0; b < B; ++b) {
                const int64_t row = static_cast<int64_t>(gi) * B + b;
                for (int64_t c = 0; c < C; ++c)
                    for (int64_t yy = 0; yy < h; ++yy)
                        for (int64_t xx = 0; xx < w; ++xx)
                            x_in.data()[((row * C + c) * h + yy) * w + xx] = static_cast<float>(
                                x.data()[((b * C + c) * H + j.y + yy) * W + j.x + xx] * c_in);
                // Repeat the token sequence to the common length (attention is unchanged by it).
                if (adm > 0)
                    std::copy(j.entry->adm.begin(), j.entry->adm.end(), y.data() + row * adm);
                const float* src = tk.data() + (b % tb) * tlen * width;
                for (int64_t t = 0; t < tokens; ++t)
                    std::copy(src + (t % tlen) * width, src + (t % tlen + 1) * width,
                              context.data() + (row * tokens + t) * width);
            }
        }
        Tensor eps;
        ctx_.check_cancelled();
        model_.predict(ctx_, x_in, std::vector<float>(static_cast<size_t>(nb), timestep), context,
                       adm > 0 ? &y : nullptr, eps);
        ++model_calls_;
        SDN_REQUIRE(eps.shape() == x_in.shape(), SDN_ERR_INTERNAL, "model returned a wrong eps shape");

        for (size_t gi = 0; gi < group.size(); ++gi) {
            const Job& j = jobs[group[gi]];
            float* o = out[static_cast<size_t>(j.side)].data();
            float* cnt = count[static_cast<size_t>(j.side)].data();
            for (int64_t b = 0; b < B; ++b) {
                const int64_t row = static_cast<int64_t>(gi) * B + b;
                for (int64_t c = 0; c < C; ++c)
                    for (int64_t yy = 0; yy < h; ++yy)
                        for (int64_t xx = 0; xx < w; ++xx) {
                            const int64_t src = ((row * C + c) * h + yy) * w + xx;
                            const int64_t dst = ((b * C + c) * H + j.y + yy) * W + j.x + xx;
                            // On the unscaled input.
                            const float xin = x.data()[dst];
                            const float pred = static_cast<float>(xin * x_mult - eps.data()[src] * out_mult);
                            const float m = j.mult.data()[(b * h + yy) * w + xx];
                            o[dst] += pred * m;
                            cnt[dst] += m;
                        }
            }
        }
    }
}

}  // namespace sdn
