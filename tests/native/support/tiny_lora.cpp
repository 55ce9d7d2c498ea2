// Tiny LoRA fixtures (see tiny_lora.h).
#include "support/tiny_lora.h"

#include <unistd.h>

#include <cmath>
#include <string>

#include "quant/row_ops.h"

namespace sdn_test {

namespace fs = std::filesystem;

TinyLoraFolder::TinyLoraFolder(sdn_context* ctx, const char* model_type) : ctx_(ctx) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("sdn-lora-" + std::to_string(::getpid()) + "-" + (info ? info->name() : "fixture"));
    fs::create_directories(dir_);
    const bool f16 = std::string(model_type) == "f16";
    model_ = (dir_ / (f16 ? "tiny_model.safetensors" : "tiny_model.gguf")).string();
    EXPECT_EQ(sdn_make_test_model(ctx_, model_.c_str(), model_type, 5), SDN_OK) << sdn_context_last_error(ctx_);
}

TinyLoraFolder::~TinyLoraFolder() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string TinyLoraFolder::lora(uint64_t seed) {
    const std::string p = (dir_ / ("lora_" + std::to_string(seed) + ".safetensors")).string();
    if (!fs::exists(p))
        EXPECT_EQ(sdn_make_test_lora(ctx_, p.c_str(), seed), SDN_OK) << sdn_context_last_error(ctx_);
    return p;
}

std::vector<float> eval_tiny_unet(sdn_context* ctx, sdn_model* model) {
    const int64_t xd[4] = {1, 4, 8, 8}, cd[3] = {1, 77, 64};
    std::vector<float> x(256), c(77 * 64);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(0.37 * double(i)));
    for (size_t i = 0; i < c.size(); ++i) c[i] = static_cast<float>(std::cos(0.11 * double(i)));
    sdn_tensor *xt = nullptr, *ct = nullptr, *eps = nullptr;
    EXPECT_EQ(sdn_tensor_create(4, xd, x.data(), &xt), SDN_OK);
    EXPECT_EQ(sdn_tensor_create(3, cd, c.data(), &ct), SDN_OK);
    const float t = 500;
    EXPECT_EQ(sdn_model_eval(ctx, model, xt, &t, ct, &eps), SDN_OK) << sdn_context_last_error(ctx);
    std::vector<float> out;
    if (eps) out.assign(sdn_tensor_data(eps), sdn_tensor_data(eps) + sdn_tensor_element_count(eps));
    sdn_tensor_free(eps);
    sdn_tensor_free(ct);
    sdn_tensor_free(xt);
    return out;
}

std::map<std::string, std::vector<double>> file_values(const std::string& path) {
    std::map<std::string, std::vector<double>> out;
    const auto file = sdn::ModelFile::open(path);
    for (const sdn::TensorEntry& e : file->tensors()) {
        if (e.ref.type == sdn::DType::I64) continue;
        std::vector<float> f(static_cast<size_t>(e.ref.elements()));
        sdn::dequantize_row_reference(e.ref.type, e.ref.data, f.data(), e.ref.elements());
        out[e.name].assign(f.begin(), f.end());
    }
    return out;
}

std::vector<double> merged_reference(
    const std::vector<double>& base,
    const std::vector<std::pair<std::map<std::string, std::vector<double>>*, double>>& loras,
    const std::string& stem, int64_t rows) {
    std::vector<double> w = base;
    const int64_t cols = static_cast<int64_t>(base.size()) / rows;
    for (const auto& [lora, strength] : loras) {
        auto tensor = [&](const char* kohya, const char* peft) -> const std::vector<double>* {
            for (const char* suffix : {kohya, peft})
                if (auto it = lora->find(stem + suffix); it != lora->end()) return &it->second;
            return nullptr;
        };
        const std::vector<double>* up = tensor(".lora_up.weight", ".lora_B.weight");
        const std::vector<double>* down = tensor(".lora_down.weight", ".lora_A.weight");
        if (!up || !down) continue;
        const int64_t rank = static_cast<int64_t>(up->size()) / rows;
        const auto alpha = lora->find(stem + ".alpha");
        const double scale = alpha == lora->end() ? 1.0 : alpha->second[0] / double(rank);
        // LoCon's mid [rank, rank, taps]: down'[a, c·taps + t] = Σ_b mid[a, b, t] · down[b, c].
        std::vector<double> expanded;
        if (const auto mid = lora->find(stem + ".lora_mid.weight"); mid != lora->end()) {
            const int64_t in = static_cast<int64_t>(down->size()) / rank;
            const int64_t taps = cols / in;
            expanded.assign(static_cast<size_t>(rank * cols), 0.0);
            for (int64_t a = 0; a < rank; ++a)
                for (int64_t b = 0; b < rank; ++b)
                    for (int64_t c = 0; c < in; ++c)
                        for (int64_t t = 0; t < taps; ++t)
                            expanded[size_t(a * cols + c * taps + t)] +=
                                mid->second[size_t((a * rank + b) * taps + t)] * (*down)[size_t(b * in + c)];
            down = &expanded;
        }
        for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j) {
                double s = 0;
                for (int64_t k = 0; k < rank; ++k)
                    s += (*up)[size_t(i * rank + k)] * (*down)[size_t(k * cols + j)];
                w[size_t(i * cols + j)] += strength * scale * s;
            }
    }
    return w;
}

}  // namespace sdn_test
