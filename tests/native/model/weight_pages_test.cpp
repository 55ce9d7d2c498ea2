// WeightPages: the ranges cover exactly the tensors named (the expected sizes come from the
// file's own tensor table), releasing them leaves every weight byte as it was, and a network
// run after a release gives the same result as before it.
#include "model/weight_pages.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <set>
#include <vector>

#include "model/checkpoint.h"
#include "sdnative.h"

namespace {

namespace fs = std::filesystem;

fs::path tiny_checkpoint() {
    const fs::path path = fs::temp_directory_path() / ("sdn-pages-" + std::to_string(::getpid()) + ".safetensors");
    sdn_context* ctx = nullptr;
    EXPECT_EQ(sdn_context_create(nullptr, &ctx), SDN_OK);
    EXPECT_EQ(sdn_make_test_model(ctx, path.string().c_str(), "f16", 7), SDN_OK);
    sdn_context_free(ctx);
    return path;
}

TEST(WeightPages, CoverTheNamedTensorsAndReleasingKeepsTheirBytes) {
    const fs::path path = tiny_checkpoint();
    {
        std::shared_ptr<sdn::Checkpoint> ck = sdn::Checkpoint::open(path.string());
        std::set<std::string> names;
        uint64_t tensor_bytes = 0;
        std::vector<std::vector<uint8_t>> copies;
        for (const sdn::TensorEntry& e : ck->file().tensors()) {
            if (e.name.rfind("model.diffusion_model.", 0) != 0) continue;
            names.insert(e.name);
            tensor_bytes += static_cast<uint64_t>(e.ref.nbytes);
            const auto* p = static_cast<const uint8_t*>(e.ref.data);
            copies.emplace_back(p, p + e.ref.nbytes);
        }
        ASSERT_GT(names.size(), 50u);
        sdn::WeightPages pages(ck, names);
        // Merged ranges may include the few alignment bytes between neighbours, never less.
        EXPECT_GE(pages.bytes(), tensor_bytes);
        EXPECT_LE(pages.bytes(), tensor_bytes + names.size() * 4096);
        pages.release();
        size_t i = 0;
        for (const sdn::TensorEntry& e : ck->file().tensors()) {
            if (e.name.rfind("model.diffusion_model.", 0) != 0) continue;
            ASSERT_EQ(std::memcmp(e.ref.data, copies[i].data(), copies[i].size()), 0) << e.name;
            ++i;
        }
    }
    fs::remove(path);
}

TEST(WeightPages, SamplingAfterAReleaseGivesTheSameLatent) {
    const fs::path path = tiny_checkpoint();
    sdn_context* ctx = nullptr;
    ASSERT_EQ(sdn_context_create(nullptr, &ctx), SDN_OK);
    sdn_model* model = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, path.string().c_str(), nullptr, &model, nullptr, nullptr), SDN_OK);
    const int64_t x_dims[4] = {1, 4, 8, 8}, c_dims[3] = {1, 77, 64};
    std::vector<float> x(4 * 8 * 8), cond(77 * 64);
    for (size_t k = 0; k < x.size(); ++k) x[k] = static_cast<float>(k % 17) / 8.0f - 1.0f;
    for (size_t k = 0; k < cond.size(); ++k) cond[k] = static_cast<float>(k % 29) / 14.0f - 1.0f;
    sdn_tensor *xt = nullptr, *ct = nullptr;
    ASSERT_EQ(sdn_tensor_create(4, x_dims, x.data(), &xt), SDN_OK);
    ASSERT_EQ(sdn_tensor_create(3, c_dims, cond.data(), &ct), SDN_OK);
    sdn_sample_params_t params;
    sdn_sample_params_init(&params);
    params.steps = 2;
    sdn_cond_t pos;
    sdn_cond_init(&pos);
    pos.tokens = ct;
    sdn_latent_t latent;
    sdn_latent_init(&latent);
    latent.samples = xt;
    std::vector<std::vector<float>> results;
    for (int run = 0; run < 2; ++run) {  // the first call releases the UNet's pages as it ends
        sdn_tensor* out = nullptr;
        ASSERT_EQ(sdn_sample(ctx, model, &params, &pos, 1, &pos, 1, &latent, &out), SDN_OK)
            << sdn_context_last_error(ctx);
        const float* d = sdn_tensor_data(out);
        results.emplace_back(d, d + x.size());
        sdn_tensor_free(out);
    }
    EXPECT_EQ(results[0], results[1]);
    sdn_tensor_free(xt);
    sdn_tensor_free(ct);
    sdn_model_free(model);
    sdn_context_free(ctx);
    fs::remove(path);
}

}  // namespace
