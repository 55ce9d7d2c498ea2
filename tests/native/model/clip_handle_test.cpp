// The sdn_clip handle and its C API (sdn_clip_encode / sdn_clip_tokenize / sdn_clip_free) on a
// tiny one-layer random CLIP: shapes, ids and weights as tensors, agreement with ClipEncoder,
// argument errors reported through the context, and no exception across the ABI.
#include "support/api_context.h"
#include "support/float32_variant.h"
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "api/clip_handle.h"
#include "cpu/cpu_backend.h"
#include "core/context.h"
#include "core/cpu_features.h"
#include "core/error.h"
#include "core/live_objects.h"
#include "sdnative.h"

namespace {

const std::string kPrefix = "cond_stage_model.transformer.text_model.";

// Random f32 weights of a 1-layer, 64-wide CLIP with the tiny tokenizer's 516 tokens.
struct OneLayerClip {
    std::map<std::string, std::vector<float>> values;
    std::map<std::string, sdn::WeightRef> refs;

    OneLayerClip() {
        std::mt19937 rng(99);
        auto add = [&](const std::string& name, std::vector<int64_t> shape, double mean) {
            int64_t n = 1;
            for (int64_t d : shape) n *= d;
            std::normal_distribution<double> normal(mean, 0.1);
            auto& v = values[kPrefix + name];
            v.resize(static_cast<size_t>(n));
            for (float& x : v) x = static_cast<float>(normal(rng));
            sdn::WeightRef r;
            r.type = sdn::DType::F32;
            r.shape = shape;
            r.data = v.data();
            r.nbytes = n * 4;
            refs[kPrefix + name] = r;
        };
        add("embeddings.token_embedding.weight", {516, 64}, 0);
        add("embeddings.position_embedding.weight", {77, 64}, 0);
        const std::string p = "encoder.layers.0.";
        for (const char* n : {"layer_norm1", "layer_norm2"}) {
            add(p + n + ".weight", {64}, 1);
            add(p + n + ".bias", {64}, 0);
        }
        for (const char* n : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
            add(p + "self_attn." + n + ".weight", {64, 64}, 0);
            add(p + "self_attn." + n + ".bias", {64}, 0);
        }
        add(p + "mlp.fc1.weight", {256, 64}, 0);
        add(p + "mlp.fc1.bias", {256}, 0);
        add(p + "mlp.fc2.weight", {64, 256}, 0);
        add(p + "mlp.fc2.bias", {64}, 0);
        add("final_layer_norm.weight", {64}, 1);
        add("final_layer_norm.bias", {64}, 0);
    }
    sdn::WeightLookup lookup() const {
        return [this](const std::string& name) -> const sdn::WeightRef* {
            auto it = refs.find(name);
            return it == refs.end() ? nullptr : &it->second;
        };
    }
};

struct Fixture {
    std::shared_ptr<OneLayerClip> weights = std::make_shared<OneLayerClip>();
    sdn_context* ctx = nullptr;
    sdn_clip* clip = nullptr;

    Fixture() {
        ctx = sdn_test::create_api_context(2, sdn_test::Products::Float32);
        auto tok = sdn::ClipTokenizer::from_merges({"c a", "ca t</w>"});
        // The handle keeps the weights alive; drop our reference to prove it.
        clip = sdn::make_clip_handle(weights->lookup(), tok, weights);
        weights.reset();
    }
    ~Fixture() {
        sdn_clip_free(clip);
        sdn_context_free(ctx);
    }
};

std::vector<float> values(const sdn_tensor* t) {
    return std::vector<float>(sdn_tensor_data(t), sdn_tensor_data(t) + sdn_tensor_element_count(t));
}

TEST(ClipHandle, TokenizeGivesIdsAndWeightsPerChunk) {
    Fixture f;
    sdn_tensor* ids = nullptr;
    sdn_tensor* weights = nullptr;
    ASSERT_EQ(sdn_clip_tokenize(f.ctx, f.clip, "(cat:1.25) a", &ids, &weights), SDN_OK);
    int64_t dims[SDN_MAX_DIMS];
    sdn_tensor_dims(ids, dims);
    EXPECT_EQ(dims[0], 1);
    EXPECT_EQ(dims[1], 77);
    std::vector<float> want_ids(77, 515.0f), want_w(77, 1.0f);
    want_ids[0] = 514;  // start; "cat" = 513; "a" = 256 + ('a' - '!') = 320; end/pad = 515
    want_ids[1] = 513;
    want_ids[2] = 320;
    want_w[1] = 1.25f;
    EXPECT_EQ(values(ids), want_ids);
    EXPECT_EQ(values(weights), want_w);
    sdn_tensor_free(ids);
    sdn_tensor_free(weights);
}

TEST(ClipHandle, EncodeMatchesTheEncoderAndHasComfyShapes) {
    Fixture f;
    sdn_tensor* cond = nullptr;
    sdn_tensor* pooled = nullptr;
    ASSERT_EQ(sdn_clip_encode(f.ctx, f.clip, "cat a (cat)", -1, &cond, &pooled), SDN_OK)
        << sdn_context_last_error(f.ctx);
    int64_t dims[SDN_MAX_DIMS];
    sdn_tensor_dims(cond, dims);
    EXPECT_EQ(sdn_tensor_n_dims(cond), 3);
    EXPECT_EQ(dims[0], 1);
    EXPECT_EQ(dims[1], 77);
    EXPECT_EQ(dims[2], 64);
    sdn_tensor_dims(pooled, dims);
    EXPECT_EQ(sdn_tensor_n_dims(pooled), 2);
    EXPECT_EQ(dims[1], 64);

    sdn::Context ctx(1, sdn_test::float32_cpu_variant(), &sdn::cpu::make_cpu_backend);
    auto direct = f.clip->encoder->encode(ctx, "cat a (cat)", -1);
    std::vector<float> want(direct.cond.data(), direct.cond.data() + direct.cond.size());
    std::vector<float> got = values(cond);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
    sdn_tensor_free(cond);
    sdn_tensor_free(pooled);
}

TEST(ClipHandle, BadArgumentsAreReportedNotThrown) {
    Fixture f;
    sdn_tensor* cond = reinterpret_cast<sdn_tensor*>(1);
    // 0 is the model's default layer; positive values and values below -24 are refused.
    EXPECT_EQ(sdn_clip_encode(f.ctx, f.clip, "cat", -25, &cond, nullptr), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(cond, nullptr);
    EXPECT_EQ(sdn_clip_encode(f.ctx, f.clip, "cat", 1, &cond, nullptr), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(cond, nullptr);
    EXPECT_NE(std::string(sdn_context_last_error(f.ctx)).find("clip_skip"), std::string::npos);
    EXPECT_EQ(sdn_clip_encode(f.ctx, nullptr, "cat", -1, &cond, nullptr),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(sdn_clip_encode(f.ctx, f.clip, nullptr, -1, &cond, nullptr),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(sdn_clip_tokenize(f.ctx, f.clip, nullptr, nullptr, nullptr),
              SDN_ERR_INVALID_ARGUMENT);
    sdn_clip_free(nullptr);  // a no-op
}

TEST(ClipHandle, TokenizerLargerThanTheEmbeddingIsRejected) {
    OneLayerClip w;
    std::vector<std::string> merges{"c a", "ca t</w>", "d o"};  // 517 tokens > 516 embeddings
    try {
        delete sdn::make_clip_handle(w.lookup(), sdn::ClipTokenizer::from_merges(merges), nullptr);
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
    }
}

}  // namespace
