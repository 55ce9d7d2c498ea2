// UniPC (Zhao et al. 2023), multistep predictor-corrector with B(h) = h (bh1) or
// expm1(h) (bh2), data prediction, order min(3, steps-1), lower order at the end, as
// ComfyUI's extra_samplers/uni_pc.py drives it. The solver state lives in the VP-scaled
// space x_vp = x / sqrt(1 + sigma^2); the final sigma 0 is replaced by 0.001.
#include <algorithm>
#include <cmath>
#include <deque>

#include "sample/samplers/small_linear_solve.h"
#include "sampler.h"

namespace sdn::samplers {

namespace {

double vp_alpha(double sigma) { return 1.0 / std::sqrt(1.0 + sigma * sigma); }
double vp_std(double sigma) { return sigma / std::sqrt(1.0 + sigma * sigma); }
double half_log_snr(double sigma) { return -std::log(sigma); }

struct UniPcSolver {
    SamplerRun& run;
    bool bh2;
    Tensor scratch_x, scratch_d;

    // Data prediction at the VP-scaled point: x0 = (x_vp - std * eps) / alpha.
    void model(const Tensor& x_vp, double sigma, Tensor& out) {
        const double up = std::sqrt(sigma * sigma + 1.0);
        const float* xv = x_vp.data();
        fill(scratch_x, [&](int64_t k) { return xv[k] * up; });
        run.denoise(scratch_x, sigma, scratch_d);
        const float* xk = scratch_x.data();
        const float* d = scratch_d.data();
        const double a = vp_alpha(sigma), sd = vp_std(sigma);
        fill(out, [&](int64_t k) {
            const double eps = (xk[k] - d[k]) / sigma;
            return (xv[k] - sd * eps) / a;
        });
    }

    // One bh update from the last history point to sigma t. Returns true when it evaluated
    // the model at the new point (corrector), leaving it in model_t.
    bool update(Tensor& x, const std::deque<Tensor>& models, const std::deque<double>& ts, double t,
                int order, bool use_corrector, Tensor& model_t) {
        const double t_prev0 = ts.back();
        const Tensor& m0 = models.back();
        const double lambda_prev0 = half_log_snr(t_prev0), lambda_t = half_log_snr(t);
        const double h = lambda_t - lambda_prev0;
        std::vector<double> rks;
        std::vector<Tensor> d1s;
        for (int i = 1; i < order; ++i) {
            const double rk = (half_log_snr(ts[ts.size() - 1 - static_cast<size_t>(i)]) - lambda_prev0) / h;
            rks.push_back(rk);
            const Tensor& mi = models[models.size() - 1 - static_cast<size_t>(i)];
            Tensor d1 = like(x);
            fill(d1, [&](int64_t k) { return (static_cast<double>(mi.data()[k]) - m0.data()[k]) / rk; });
            d1s.push_back(std::move(d1));
        }
        rks.push_back(1.0);
        const double hh = -h;
        const double h_phi_1 = std::expm1(hh);
        double h_phi_k = h_phi_1 / hh - 1.0;
        double factorial = 1.0;
        const double b_h = bh2 ? std::expm1(hh) : hh;
        std::vector<std::vector<double>> R;
        std::vector<double> b;
        for (int i = 1; i <= order; ++i) {
            std::vector<double> row;
            for (double r : rks) row.push_back(std::pow(r, i - 1));
            R.push_back(row);
            b.push_back(h_phi_k * factorial / b_h);
            factorial *= (i + 1);
            h_phi_k = h_phi_k / hh - 1.0 / factorial;
        }
        std::vector<double> rhos_p, rhos_c;
        if (!d1s.empty()) {
            if (order == 2) {
                rhos_p = {0.5};
            } else {
                std::vector<std::vector<double>> Rp(static_cast<size_t>(order - 1));
                for (int r = 0; r < order - 1; ++r)
                    Rp[static_cast<size_t>(r)].assign(R[static_cast<size_t>(r)].begin(), R[static_cast<size_t>(r)].begin() + (order - 1));
                rhos_p = solve_small_linear(Rp, std::vector<double>(b.begin(), b.begin() + (order - 1)));
            }
        }
        if (use_corrector) rhos_c = order == 1 ? std::vector<double>{0.5} : solve_small_linear(R, b);

        const double sigma_ratio = vp_std(t) / vp_std(t_prev0);
        const double alpha_t = vp_alpha(t);
        Tensor base = like(x);
        const float* xs = x.data();
        const float* m0d = m0.data();
        fill(base, [&](int64_t k) { return sigma_ratio * xs[k] - alpha_t * h_phi_1 * m0d[k]; });
        const float* bd = base.data();
        fill(x, [&](int64_t k) {
            double res = 0.0;
            for (size_t j = 0; j < d1s.size(); ++j) res += rhos_p[j] * d1s[j].data()[k];
            return bd[k] - alpha_t * b_h * res;
        });
        if (!use_corrector) return false;
        model(x, t, model_t);
        const float* mt = model_t.data();
        fill(x, [&](int64_t k) {
            double res = 0.0;
            for (size_t j = 0; j < d1s.size(); ++j) res += rhos_c[j] * d1s[j].data()[k];
            res += rhos_c.back() * (static_cast<double>(mt[k]) - m0d[k]);
            return bd[k] - alpha_t * b_h * res;
        });
        return true;
    }
};

void run_uni_pc(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas, bool bh2) {
    if (sigmas.size() < 2) return;
    std::vector<double> ts = sigmas;
    if (ts.back() == 0.0) ts.back() = 0.001;
    const int steps = static_cast<int>(ts.size()) - 1;
    const int order = std::min(3, static_cast<int>(ts.size()) - 2);

    UniPcSolver solver{run, bh2, like(x), like(x)};
    const double in_scale = 1.0 / std::sqrt(1.0 + ts[0] * ts[0]);
    fill(x, [&](int64_t k) { return x.data()[k] * in_scale; });

    std::deque<Tensor> models;
    std::deque<double> t_prev;
    Tensor model_t = like(x);
    for (int step_index = 0; step_index < steps; ++step_index) {
        if (step_index == 0) {
            Tensor m = like(x);
            solver.model(x, ts[0], m);
            models.push_back(std::move(m));
            t_prev.push_back(ts[0]);
        } else if (step_index < order) {
            const double t = ts[static_cast<size_t>(step_index)];
            solver.update(x, models, t_prev, t, step_index, true, model_t);
            models.push_back(model_t);
            t_prev.push_back(t);
        } else {
            const int last = step_index == steps - 1 ? step_index + 1 : step_index;
            for (int step = step_index; step <= last; ++step) {
                const double t = ts[static_cast<size_t>(step)];
                const int step_order = std::min(order, steps + 1 - step);
                const bool use_corrector = step != steps;
                const bool evaluated = solver.update(x, models, t_prev, t, step_order, use_corrector, model_t);
                // Shift the history window (its length stays `order`); after the final
                // step the newest model slot keeps its old value, as in the reference.
                Tensor newest = models.back();
                models.pop_front();
                t_prev.pop_front();
                t_prev.push_back(t);
                if (step < steps) {
                    if (!evaluated) solver.model(x, t, model_t);
                    models.push_back(model_t);
                } else {
                    models.push_back(std::move(newest));
                }
            }
        }
        // ComfyUI reports the VP-scaled x here; the denoised prediction is what previews use.
        call_step(run, step_index, x, models.back());
    }
    const double out_scale = 1.0 / vp_alpha(ts.back());
    fill(x, [&](int64_t k) { return x.data()[k] * out_scale; });
}

}  // namespace

void uni_pc(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) { run_uni_pc(run, x, sigmas, false); }
void uni_pc_bh2(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) { run_uni_pc(run, x, sigmas, true); }

}  // namespace sdn::samplers
