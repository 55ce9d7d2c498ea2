// Test-model tensors served as f32 WeightRefs through a WeightLookup (no file involved).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/test_model_writer.h"
#include "model/weight_lookup.h"

namespace unet_test {

class InMemoryWeights {
public:
    explicit InMemoryWeights(std::vector<sdn::TestTensor> tensors) : tensors_(std::move(tensors)) {
        for (const auto& t : tensors_) {
            if (t.is_i64) continue;
            sdn::WeightRef r;
            r.type = sdn::DType::F32;
            r.shape = t.shape;
            r.data = t.values.data();
            r.nbytes = static_cast<int64_t>(t.values.size() * sizeof(float));
            refs_[t.name] = r;
        }
    }
    sdn::WeightLookup lookup() const {
        return [this](const std::string& n) -> const sdn::WeightRef* {
            auto it = refs_.find(n);
            return it == refs_.end() ? nullptr : &it->second;
        };
    }
    const std::vector<sdn::TestTensor>& tensors() const { return tensors_; }

private:
    std::vector<sdn::TestTensor> tensors_;
    std::map<std::string, sdn::WeightRef> refs_;
};

// Deterministic values in [-1, 1).
inline std::vector<float> random_values(size_t n, uint32_t seed) {
    std::vector<float> v(n);
    uint32_t s = seed * 2654435761u + 12345u;
    for (float& x : v) {
        s = s * 1664525u + 1013904223u;
        x = static_cast<float>(s >> 8) / 8388608.0f - 1.0f;
    }
    return v;
}

}  // namespace unet_test
