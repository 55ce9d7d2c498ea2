// Deterministic test data for the quant tests: several value distributions, including the
// awkward ones (all positive, all negative, constant, zeros, outliers).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace quant_test {

struct Dataset {
    std::string name;
    std::vector<float> values;
};

inline std::vector<Dataset> datasets(int64_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<Dataset> out;
    auto make = [&](const std::string& name, auto gen) {
        Dataset d{name, std::vector<float>(static_cast<size_t>(n))};
        for (int64_t i = 0; i < n; ++i) d.values[i] = gen(i);
        out.push_back(std::move(d));
    };
    make("normal", [&](int64_t) { return normal(rng) * 0.05f; });
    make("uniform", [&](int64_t) { return uniform(rng) * 3.0f; });
    make("positive", [&](int64_t) { return 2.0f + std::fabs(normal(rng)); });
    make("negative", [&](int64_t) { return -0.5f - std::fabs(normal(rng)) * 0.01f; });
    make("outliers", [&](int64_t i) { return i % 97 == 5 ? 40.0f * (i % 2 ? 1.0f : -1.0f) : normal(rng); });
    make("constant", [&](int64_t) { return 0.75f; });
    make("zeros", [&](int64_t) { return 0.0f; });
    return out;
}

}  // namespace quant_test
