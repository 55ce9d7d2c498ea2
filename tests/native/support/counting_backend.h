// A backend that forwards every call to another one and counts what crosses between host and
// backend: uploads, downloads, residency requests. Tests use it to pin where model code moves
// data (only at node boundaries) and to make allocations fail on purpose.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/error.h"

namespace sdn_test {

class CountingBackend final : public sdn::Backend {
public:
    explicit CountingBackend(std::unique_ptr<sdn::Backend> inner) : inner_(std::move(inner)) {}

    int uploads = 0, downloads = 0, resident_calls = 0;
    size_t resident_weights = 0;  // weights named by the last make_resident call
    // Allocations beyond this many bytes in all fail as a device out of memory would.
    int64_t allocation_limit = -1;
    int64_t allocated = 0;

    std::string name() const override { return inner_->name(); }
    bool host_visible() const override { return inner_->host_visible(); }
    int64_t memory_budget() const override { return inner_->memory_budget(); }

    std::shared_ptr<sdn::DeviceBuffer> allocate(int64_t bytes, const char* purpose) override {
        if (allocation_limit >= 0 && allocated + bytes > allocation_limit)
            sdn::fail(SDN_ERR_OUT_OF_MEMORY,
                      std::string("counting backend: out of memory for ") + purpose);
        allocated += bytes;
        return inner_->allocate(bytes, purpose);
    }
    void upload(const sdn::TensorView& dst, const void* host) override {
        ++uploads;
        inner_->upload(dst, host);
    }
    void download(const sdn::TensorView& src, void* host) override {
        ++downloads;
        inner_->download(src, host);
    }
    void make_resident(const std::vector<const sdn::WeightRef*>& weights,
                       const std::shared_ptr<const void>& owner) override {
        ++resident_calls;
        resident_weights = weights.size();
        inner_->make_resident(weights, owner);
    }
    void submit() override { inner_->submit(); }
    void synchronize() override { inner_->synchronize(); }

    void linear(const sdn::TensorView& x, const sdn::WeightRef& w, const sdn::WeightRef* bias,
                const sdn::TensorView& y, bool accumulate) override {
        inner_->linear(x, w, bias, y, accumulate);
    }
    void conv2d(const sdn::TensorView& x, const sdn::WeightRef& w, const sdn::WeightRef* bias,
                int stride, int pad, const sdn::TensorView& y) override {
        inner_->conv2d(x, w, bias, stride, pad, y);
    }
    void group_norm(const sdn::TensorView& x, int groups, float eps, const sdn::WeightRef* gamma,
                    const sdn::WeightRef* beta, const sdn::TensorView& y, bool silu) override {
        inner_->group_norm(x, groups, eps, gamma, beta, y, silu);
    }
    void layer_norm(const sdn::TensorView& x, float eps, const sdn::WeightRef* gamma,
                    const sdn::WeightRef* beta, const sdn::TensorView& y) override {
        inner_->layer_norm(x, eps, gamma, beta, y);
    }
    void attention(const sdn::AttentionOp& op) override { inner_->attention(op); }
    void activation(sdn::Activation kind, const sdn::TensorView& x) override {
        inner_->activation(kind, x);
    }
    void geglu(const sdn::TensorView& x, const sdn::TensorView& y) override { inner_->geglu(x, y); }
    void add(const sdn::TensorView& a, const sdn::TensorView& b,
             const sdn::TensorView& y) override {
        inner_->add(a, b, y);
    }
    void mul(const sdn::TensorView& a, const sdn::TensorView& b,
             const sdn::TensorView& y) override {
        inner_->mul(a, b, y);
    }
    void add_channel_bias(const sdn::TensorView& x, const sdn::TensorView& v) override {
        inner_->add_channel_bias(x, v);
    }
    void upsample_nearest2x(const sdn::TensorView& x, const sdn::TensorView& y) override {
        inner_->upsample_nearest2x(x, y);
    }
    void interpolate(const sdn::TensorView& x, const sdn::TensorView& y,
                     sdn::InterpMode mode) override {
        inner_->interpolate(x, y, mode);
    }
    void pad_zero(const sdn::TensorView& x, int64_t top, int64_t left,
                  const sdn::TensorView& y) override {
        inner_->pad_zero(x, top, left, y);
    }
    void concat_channels(const sdn::TensorView& a, const sdn::TensorView& b,
                         const sdn::TensorView& y) override {
        inner_->concat_channels(a, b, y);
    }
    void channels_to_tokens(const sdn::TensorView& x, const sdn::TensorView& y) override {
        inner_->channels_to_tokens(x, y);
    }
    void tokens_to_channels(const sdn::TensorView& tokens, const sdn::TensorView& residual,
                            const sdn::TensorView& y) override {
        inner_->tokens_to_channels(tokens, residual, y);
    }
    void timestep_embedding(const std::vector<float>& t, float max_period,
                            const sdn::TensorView& y) override {
        inner_->timestep_embedding(t, max_period, y);
    }
    void gather_rows(const sdn::WeightRef& table, const std::vector<int32_t>& ids,
                     const sdn::TensorView& y) override {
        inner_->gather_rows(table, ids, y);
    }
    void copy(const sdn::TensorView& src, const sdn::TensorView& dst) override {
        inner_->copy(src, dst);
    }

private:
    std::unique_ptr<sdn::Backend> inner_;
};

}  // namespace sdn_test
