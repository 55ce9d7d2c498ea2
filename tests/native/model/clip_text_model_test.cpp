// The CLIP text transformer and CLIPTextEncode weighting on a tiny random-weight CLIP served
// from memory, against a plain double-precision reference written here from the architecture
// description (pre-LN blocks, causal attention with 64-wide heads, quick_gelu, LN eps 1e-5).
// The same weights under OpenCLIP names (fused in_proj, GELU, text_projection) check the
// SD2/SDXL encoders, and pooled = x * P for a non-symmetric stored P.
#include "support/float32_variant.h"
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/cpu_features.h"
#include "core/error.h"
#include "core/half.h"
#include "cpu/cpu_backend.h"
#include "model/clip_encoder.h"
#include "model/clip_text_model.h"
#include "model/clip_tokenizer.h"
#include "quant/dtype.h"

namespace {

constexpr int64_t kVocab = 516;  // the tiny tokenizer below: 512 byte entries, 2 merges, 2 specials
constexpr int64_t kPositions = 77;
constexpr int64_t kWidth = 128;  // two heads
constexpr int64_t kMlp = 320;
constexpr int kLayers = 3;
const std::string kPrefix = "cond_stage_model.transformer.text_model.";

using Mat = std::vector<double>;

class TinyClip {
public:
    explicit TinyClip(uint32_t seed, sdn::DType type = sdn::DType::F32) : rng_(seed), type_(type) {
        add("embeddings.token_embedding.weight", {kVocab, kWidth}, 0.5);
        add("embeddings.position_embedding.weight", {kPositions, kWidth}, 0.2);
        for (int l = 0; l < kLayers; ++l) {
            const std::string p = "encoder.layers." + std::to_string(l) + ".";
            add(p + "layer_norm1.weight", {kWidth}, 0.1, 1.0);
            add(p + "layer_norm1.bias", {kWidth}, 0.1);
            add(p + "layer_norm2.weight", {kWidth}, 0.1, 1.0);
            add(p + "layer_norm2.bias", {kWidth}, 0.1);
            for (const char* n : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                add(p + "self_attn." + n + ".weight", {kWidth, kWidth}, 0.15);
                add(p + "self_attn." + n + ".bias", {kWidth}, 0.05);
            }
            add(p + "mlp.fc1.weight", {kMlp, kWidth}, 0.1);
            add(p + "mlp.fc1.bias", {kMlp}, 0.05);
            add(p + "mlp.fc2.weight", {kWidth, kMlp}, 0.08);
            add(p + "mlp.fc2.bias", {kWidth}, 0.05);
        }
        add("final_layer_norm.weight", {kWidth}, 0.1, 1.0);
        add("final_layer_norm.bias", {kWidth}, 0.1);
    }

    sdn::WeightLookup lookup() const {
        return [this](const std::string& name) -> const sdn::WeightRef* {
            if (name.compare(0, kPrefix.size(), kPrefix) != 0) return nullptr;
            auto it = refs_.find(name.substr(kPrefix.size()));
            if (it == refs_.end() || removed_.count(it->first)) return nullptr;
            return &it->second;
        };
    }
    void remove(const std::string& name) { removed_[name] = true; }

    // The same network under OpenCLIP names below `prefix`: q, k and v fused into in_proj
    // (rows q, then k, then v) and a random text_projection P [width, width] that is not
    // symmetric, stored as OpenCLIP stores it (pooled = x * P).
    sdn::WeightLookup open_clip_lookup(const std::string& prefix) {
        std::normal_distribution<double> normal(0.0, 0.1);
        std::vector<float>& proj = values_["text_projection"];
        proj.resize(static_cast<size_t>(kWidth * kWidth));
        for (float& x : proj) x = static_cast<float>(normal(rng_));
        open_[prefix + "text_projection"] = f32_ref(proj, {kWidth, kWidth});
        auto alias = [&](const std::string& open, const std::string& hf) {
            open_[prefix + open] = refs_.at(hf);
        };
        alias("token_embedding.weight", "embeddings.token_embedding.weight");
        alias("positional_embedding", "embeddings.position_embedding.weight");
        alias("ln_final.weight", "final_layer_norm.weight");
        alias("ln_final.bias", "final_layer_norm.bias");
        for (int l = 0; l < kLayers; ++l) {
            const std::string hf = "encoder.layers." + std::to_string(l) + ".";
            const std::string oc = "transformer.resblocks." + std::to_string(l) + ".";
            for (const char* part : {".weight", ".bias"}) {
                alias(oc + "ln_1" + part, hf + "layer_norm1" + part);
                alias(oc + "ln_2" + part, hf + "layer_norm2" + part);
                alias(oc + "attn.out_proj" + part, hf + "self_attn.out_proj" + part);
                alias(oc + "mlp.c_fc" + part, hf + "mlp.fc1" + part);
                alias(oc + "mlp.c_proj" + part, hf + "mlp.fc2" + part);
                std::vector<float>& fused = values_[oc + "in_proj" + part];
                for (const char* n : {"q_proj", "k_proj", "v_proj"}) {
                    const auto& v = values_.at(hf + "self_attn." + n + part);
                    fused.insert(fused.end(), v.begin(), v.end());
                }
            }
            open_[prefix + oc + "attn.in_proj_weight"] = f32_ref(values_[oc + "in_proj.weight"], {3 * kWidth, kWidth});
            open_[prefix + oc + "attn.in_proj_bias"] = f32_ref(values_[oc + "in_proj.bias"], {3 * kWidth});
        }
        return [this](const std::string& name) -> const sdn::WeightRef* {
            auto it = open_.find(name);
            return it == open_.end() ? nullptr : &it->second;
        };
    }
    const std::vector<float>& w(const std::string& name) const { return values_.at(name); }

private:
    static sdn::WeightRef f32_ref(const std::vector<float>& v, std::vector<int64_t> shape) {
        sdn::WeightRef r;
        r.type = sdn::DType::F32;
        r.shape = std::move(shape);
        r.data = v.data();
        r.nbytes = static_cast<int64_t>(v.size() * 4);
        return r;
    }

    void add(const std::string& name, std::vector<int64_t> shape, double scale,
             double mean = 0.0) {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        std::normal_distribution<double> normal(mean, scale);
        std::vector<float>& v = values_[name];
        v.resize(static_cast<size_t>(n));
        for (float& x : v) x = static_cast<float>(normal(rng_));
        sdn::WeightRef r;
        r.type = type_;
        r.shape = std::move(shape);
        if (type_ == sdn::DType::F16) {
            // Stored as f16; the reference sees the rounded values.
            std::vector<uint16_t>& h = halves_[name];
            for (float& x : v) {
                h.push_back(sdn::f32_to_f16(x));
                x = sdn::f16_to_f32(h.back());
            }
            r.data = h.data();
            r.nbytes = n * 2;
        } else {
            r.data = v.data();
            r.nbytes = n * 4;
        }
        refs_[name] = r;
    }

    std::mt19937 rng_;
    sdn::DType type_;
    std::map<std::string, std::vector<float>> values_;
    std::map<std::string, std::vector<uint16_t>> halves_;
    std::map<std::string, sdn::WeightRef> refs_;
    std::map<std::string, sdn::WeightRef> open_;
    std::map<std::string, bool> removed_;
};

// ------------------------------------------------------------------ double reference

struct RefOut {
    std::vector<Mat> hidden;  // per sequence [T * D]
    std::vector<Mat> pooled;  // per sequence [D]
};

Mat ref_layer_norm(const Mat& x, int64_t rows, const std::vector<float>& g,
                   const std::vector<float>& b) {
    Mat y(x.size());
    for (int64_t r = 0; r < rows; ++r) {
        double mean = 0, var = 0;
        for (int64_t c = 0; c < kWidth; ++c) mean += x[r * kWidth + c];
        mean /= kWidth;
        for (int64_t c = 0; c < kWidth; ++c) var += std::pow(x[r * kWidth + c] - mean, 2);
        var /= kWidth;
        for (int64_t c = 0; c < kWidth; ++c)
            y[r * kWidth + c] = (x[r * kWidth + c] - mean) / std::sqrt(var + 1e-5) * g[c] + b[c];
    }
    return y;
}

Mat ref_linear(const Mat& x, int64_t rows, int64_t in, int64_t out, const std::vector<float>& w,
               const std::vector<float>& b) {
    Mat y(static_cast<size_t>(rows * out));
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = 0; o < out; ++o) {
            double s = b[o];
            for (int64_t i = 0; i < in; ++i) s += x[r * in + i] * double(w[o * in + i]);
            y[r * out + o] = s;
        }
    return y;
}

// One sequence through the network; returns every layer's output (before the final norm).
// gelu_erf: OpenCLIP's MLP activation (x/2 (1 + erf(x/sqrt 2))) in place of quick_gelu.
std::vector<Mat> ref_layers(const TinyClip& m, const std::vector<int32_t>& ids, bool gelu_erf = false) {
    const int64_t T = static_cast<int64_t>(ids.size()), D = kWidth;
    Mat x(static_cast<size_t>(T * D));
    const auto& tok = m.w("embeddings.token_embedding.weight");
    const auto& pos = m.w("embeddings.position_embedding.weight");
    for (int64_t t = 0; t < T; ++t)
        for (int64_t c = 0; c < D; ++c) x[t * D + c] = double(tok[ids[t] * D + c]) + pos[t * D + c];
    std::vector<Mat> outs;
    for (int l = 0; l < kLayers; ++l) {
        const std::string p = "encoder.layers." + std::to_string(l) + ".";
        auto W = [&](const std::string& n) { return m.w(p + n); };
        Mat h = ref_layer_norm(x, T, W("layer_norm1.weight"), W("layer_norm1.bias"));
        Mat q = ref_linear(h, T, D, D, W("self_attn.q_proj.weight"), W("self_attn.q_proj.bias"));
        Mat k = ref_linear(h, T, D, D, W("self_attn.k_proj.weight"), W("self_attn.k_proj.bias"));
        Mat v = ref_linear(h, T, D, D, W("self_attn.v_proj.weight"), W("self_attn.v_proj.bias"));
        Mat a(static_cast<size_t>(T * D), 0.0);
        for (int64_t head = 0; head < D / 64; ++head)
            for (int64_t i = 0; i < T; ++i) {
                std::vector<double> s(static_cast<size_t>(i + 1));
                double mx = -1e300;
                for (int64_t j = 0; j <= i; ++j) {  // causal: keys up to the query
                    double d = 0;
                    for (int64_t e = 0; e < 64; ++e)
                        d += q[i * D + head * 64 + e] * k[j * D + head * 64 + e];
                    s[j] = d / 8.0;
                    mx = std::max(mx, s[j]);
                }
                double sum = 0;
                for (double& e : s) sum += (e = std::exp(e - mx));
                for (int64_t j = 0; j <= i; ++j)
                    for (int64_t e = 0; e < 64; ++e)
                        a[i * D + head * 64 + e] += s[j] / sum * v[j * D + head * 64 + e];
            }
        Mat o = ref_linear(a, T, D, D, W("self_attn.out_proj.weight"), W("self_attn.out_proj.bias"));
        for (size_t i = 0; i < x.size(); ++i) x[i] += o[i];
        h = ref_layer_norm(x, T, W("layer_norm2.weight"), W("layer_norm2.bias"));
        Mat f = ref_linear(h, T, D, kMlp, W("mlp.fc1.weight"), W("mlp.fc1.bias"));
        for (double& e : f)
            e = gelu_erf ? 0.5 * e * (1.0 + std::erf(e / std::sqrt(2.0))) : e / (1.0 + std::exp(-1.702 * e));
        o = ref_linear(f, T, kMlp, D, W("mlp.fc2.weight"), W("mlp.fc2.bias"));
        for (size_t i = 0; i < x.size(); ++i) x[i] += o[i];
        outs.push_back(x);
    }
    return outs;
}

// hidden = layer (layers + clip_skip) with the final norm; pooled = last layer, final norm,
// at the first end token.
void reference(const TinyClip& m, const std::vector<int32_t>& ids, int clip_skip, int32_t end_id,
               Mat* hidden, Mat* pooled) {
    std::vector<Mat> layers = ref_layers(m, ids);
    const int64_t T = static_cast<int64_t>(ids.size());
    auto g = m.w("final_layer_norm.weight");
    auto b = m.w("final_layer_norm.bias");
    int idx = -clip_skip > kLayers ? kLayers - 1 : kLayers + clip_skip;
    *hidden = ref_layer_norm(layers[static_cast<size_t>(idx)], T, g, b);
    Mat last = ref_layer_norm(layers.back(), T, g, b);
    int64_t at = 0;
    for (int64_t t = 0; t < T; ++t)
        if (ids[t] == end_id) {
            at = t;
            break;
        }
    pooled->assign(last.begin() + at * kWidth, last.begin() + (at + 1) * kWidth);
}

void expect_close(const float* got, const Mat& want, const std::string& what) {
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i)
        worst = std::max(worst, std::abs(double(got[i]) - want[i]) / (1.0 + std::abs(want[i])));
    EXPECT_LT(worst, 2e-4) << what;
}

std::shared_ptr<sdn::ClipTokenizer> tiny_tokenizer() {
    return sdn::ClipTokenizer::from_merges({"c a", "ca t</w>"});
}

// ids for the tiny tokenizer: start 514, end 515; "cat" = 513, "a" = 256 + ('a' - '!') = 320.
std::vector<int32_t> padded(std::vector<int32_t> body) {
    std::vector<int32_t> ids{514};
    ids.insert(ids.end(), body.begin(), body.end());
    while (ids.size() < 77) ids.push_back(515);
    return ids;
}

sdn::Context make_context() {
    return sdn::Context(2, sdn_test::float32_cpu_variant(), &sdn::cpu::make_cpu_backend);
}

TEST(ClipTextModel, ReadsShapesFromTheWeights) {
    TinyClip m(1);
    sdn::ClipTextModel model(m.lookup());
    EXPECT_EQ(model.width(), kWidth);
    EXPECT_EQ(model.heads(), 2);
    EXPECT_EQ(model.layers(), kLayers);
    EXPECT_EQ(model.vocab_size(), kVocab);
    EXPECT_EQ(model.max_positions(), kPositions);
}

TEST(ClipTextModel, MatchesTheReferenceForClipSkipMinusOneAndMinusTwo) {
    TinyClip m(2);
    sdn::ClipTextModel model(m.lookup());
    sdn::Context ctx = make_context();
    std::vector<int32_t> a = padded({513, 320, 7, 400}), b = padded({});
    std::vector<int32_t> ids = a;
    ids.insert(ids.end(), b.begin(), b.end());
    for (int skip : {-1, -2, -3, -24}) {
        auto out = model.forward(ctx, ids, 2, 77, skip, 515);
        ASSERT_EQ(out.hidden.shape(), (std::vector<int64_t>{2, 77, kWidth}));
        ASSERT_EQ(out.pooled.shape(), (std::vector<int64_t>{2, kWidth}));
        for (int s = 0; s < 2; ++s) {
            Mat hidden, pooled;
            reference(m, s == 0 ? a : b, skip, 515, &hidden, &pooled);
            const std::string what = "skip " + std::to_string(skip) + " seq " + std::to_string(s);
            expect_close(out.hidden.data() + s * 77 * kWidth, hidden, "hidden " + what);
            expect_close(out.pooled.data() + s * kWidth, pooled, "pooled " + what);
        }
    }
}

TEST(ClipTextModel, F16WeightsMatchTheReference) {
    TinyClip m(9, sdn::DType::F16);
    sdn::ClipTextModel model(m.lookup());
    sdn::Context ctx = make_context();
    std::vector<int32_t> ids = padded({513, 320, 100});
    auto out = model.forward(ctx, ids, 1, 77, -2, 515);
    Mat hidden, pooled;
    reference(m, ids, -2, 515, &hidden, &pooled);
    expect_close(out.hidden.data(), hidden, "f16 hidden");
    expect_close(out.pooled.data(), pooled, "f16 pooled");
}

TEST(ClipTextModel, RejectsBadArguments) {
    TinyClip m(3);
    sdn::ClipTextModel model(m.lookup());
    sdn::Context ctx = make_context();
    auto status_of = [&](const std::vector<int32_t>& ids, int skip) {
        try {
            model.forward(ctx, ids, 1, static_cast<int64_t>(ids.size()), skip, 515);
        } catch (const sdn::Error& e) {
            return e.status();
        }
        return SDN_OK;
    };
    EXPECT_EQ(status_of(padded({}), 1), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(status_of(padded({kVocab}), -1), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(status_of(std::vector<int32_t>(78, 1), -1), SDN_ERR_INVALID_ARGUMENT);
}

TEST(ClipTextModel, MissingTensorIsNamed) {
    TinyClip m(4);
    m.remove("encoder.layers.1.self_attn.v_proj.bias");
    try {
        sdn::ClipTextModel model(m.lookup());
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        EXPECT_NE(std::string(e.what()).find("encoder.layers.1.self_attn.v_proj.bias"),
                  std::string::npos)
            << e.what();
    }
}

TEST(ClipEncoder, UnweightedPromptIsTheLayerOutput) {
    TinyClip m(5);
    auto model = std::make_shared<sdn::ClipTextModel>(m.lookup());
    sdn::ClipEncoder enc(tiny_tokenizer(), model);
    sdn::Context ctx = make_context();
    auto r = enc.encode(ctx, "Cat a", -2);
    ASSERT_EQ(r.cond.shape(), (std::vector<int64_t>{1, 77, kWidth}));
    ASSERT_EQ(r.pooled.shape(), (std::vector<int64_t>{1, kWidth}));
    Mat hidden, pooled;
    reference(m, padded({513, 320}), -2, 515, &hidden, &pooled);
    expect_close(r.cond.data(), hidden, "cond");
    expect_close(r.pooled.data(), pooled, "pooled");
}

TEST(ClipEncoder, WeightsMoveTokensAwayFromTheEmptyPrompt) {
    TinyClip m(6);
    auto model = std::make_shared<sdn::ClipTextModel>(m.lookup());
    sdn::ClipEncoder enc(tiny_tokenizer(), model);
    sdn::Context ctx = make_context();
    auto r = enc.encode(ctx, "(cat:1.5) ((a))", -1);
    ASSERT_EQ(r.cond.shape(), (std::vector<int64_t>{1, 77, kWidth}));
    Mat z, pooled, z_empty, unused;
    reference(m, padded({513, 320}), -1, 515, &z, &pooled);
    reference(m, padded({}), -1, 515, &z_empty, &unused);
    const double w1 = float(1.5), w2 = float(1.1 * 1.1);
    for (int64_t t = 1; t <= 2; ++t) {
        double w = t == 1 ? w1 : w2;
        for (int64_t c = 0; c < kWidth; ++c) {
            size_t i = static_cast<size_t>(t * kWidth + c);
            z[i] = (z[i] - z_empty[i]) * w + z_empty[i];
        }
    }
    expect_close(r.cond.data(), z, "weighted cond");
    expect_close(r.pooled.data(), pooled, "pooled stays unweighted");
}

TEST(ClipEncoder, LongPromptGivesTwoChunksAndPooledFromTheFirst) {
    TinyClip m(7);
    auto model = std::make_shared<sdn::ClipTextModel>(m.lookup());
    sdn::ClipEncoder enc(tiny_tokenizer(), model);
    sdn::Context ctx = make_context();
    std::string text;
    for (int i = 0; i < 80; ++i) text += "cat ";  // 80 one-token words: 75 + 5
    auto r = enc.encode(ctx, text, -1);
    ASSERT_EQ(r.cond.shape(), (std::vector<int64_t>{1, 154, kWidth}));
    Mat h1, p1, h2, p2;
    reference(m, padded(std::vector<int32_t>(75, 513)), -1, 515, &h1, &p1);
    reference(m, padded(std::vector<int32_t>(5, 513)), -1, 515, &h2, &p2);
    expect_close(r.cond.data(), h1, "chunk 1");
    expect_close(r.cond.data() + 77 * kWidth, h2, "chunk 2");
    expect_close(r.pooled.data(), p1, "pooled");
}

// SDXL's bigG: OpenCLIP names, GELU, penultimate layer without the final norm by default,
// pooled = LN(last layer) at the first end token times the stored P (x * P, not x * P^T).
Mat ref_open_clip_pooled(const TinyClip& m, const std::vector<int32_t>& ids, Mat* hidden_penultimate) {
    std::vector<Mat> layers = ref_layers(m, ids, /*gelu_erf=*/true);
    const int64_t T = static_cast<int64_t>(ids.size());
    *hidden_penultimate = layers[kLayers - 2];
    Mat last = ref_layer_norm(layers.back(), T, m.w("final_layer_norm.weight"), m.w("final_layer_norm.bias"));
    int64_t at = 0;
    while (at < T && ids[static_cast<size_t>(at)] != 515) ++at;
    const auto& P = m.w("text_projection");
    Mat pooled(kWidth, 0.0);
    for (int64_t j = 0; j < kWidth; ++j)
        for (int64_t i = 0; i < kWidth; ++i) pooled[j] += last[at * kWidth + i] * double(P[i * kWidth + j]);
    return pooled;
}

sdn::ClipTextSpec big_g_spec(const std::string& prefix) {
    sdn::ClipTextSpec s;
    s.prefix = prefix;
    s.open_clip_names = true;
    s.activation = sdn::Activation::GeluErf;
    s.norm_hidden = false;
    s.default_layer = -2;
    s.pad_with_end = false;
    return s;
}

TEST(OpenClipTextModel, BigGMatchesTheReferenceWithPooledTimesTheStoredProjection) {
    TinyClip m(11);
    const std::string prefix = "conditioner.embedders.1.model.";
    sdn::ClipTextModel model(m.open_clip_lookup(prefix), big_g_spec(prefix));
    EXPECT_EQ(model.layers(), kLayers);
    EXPECT_EQ(model.pooled_width(), kWidth);
    EXPECT_EQ(model.pad_id(515), 0);
    sdn::Context ctx = make_context();
    std::vector<int32_t> ids{514, 513, 320, 515};
    ids.resize(77, 0);  // OpenCLIP pads with 0 after the end token
    auto out = model.forward(ctx, ids, 1, 77, /*model's default layer*/ 0, 515);
    Mat hidden;
    const Mat pooled = ref_open_clip_pooled(m, ids, &hidden);
    expect_close(out.hidden.data(), hidden, "penultimate layer, no final norm");
    expect_close(out.pooled.data(), pooled, "pooled x P");

    // The transposed orientation gives something else: the check above can tell them apart.
    const auto& P = m.w("text_projection");
    std::vector<float> last(out.pooled.data(), out.pooled.data() + kWidth);
    double diff = 0;
    for (int64_t j = 0; j < kWidth; ++j) {
        double t = 0, u = 0;
        for (int64_t i = 0; i < kWidth; ++i) {
            t += double(P[i * kWidth + j]) * P[j * kWidth + i];
            u += double(P[i * kWidth + j]) * P[i * kWidth + j];
        }
        diff += u - t;
    }
    EXPECT_GT(diff, 1e-3) << "P must not be symmetric for this test to mean anything";
}

TEST(ClipEncoder, SdxlJoinsClipLAndBigGAndPoolsFromBigG) {
    TinyClip l(12), g(13);
    const std::string lp = kPrefix;  // the HF-named encoder is served under the SD1 prefix
    const std::string gp = "conditioner.embedders.1.model.";
    sdn::ClipTextSpec l_spec;
    l_spec.norm_hidden = false;
    l_spec.default_layer = -2;
    auto lm = std::make_shared<sdn::ClipTextModel>(l.lookup(), l_spec);
    auto gm = std::make_shared<sdn::ClipTextModel>(g.open_clip_lookup(gp), big_g_spec(gp));
    sdn::ClipEncoder enc(tiny_tokenizer(), std::vector<std::shared_ptr<const sdn::ClipTextModel>>{lm, gm});
    EXPECT_EQ(enc.width(), 2 * kWidth);
    sdn::Context ctx = make_context();
    // CLIPTextEncodeSDXL: text_l "cat" for CLIP-L, text_g "cat a" for bigG.
    auto r = enc.encode_each(ctx, {"cat", "cat a"}, 0);
    ASSERT_EQ(r.cond.shape(), (std::vector<int64_t>{1, 77, 2 * kWidth}));
    ASSERT_EQ(r.pooled.shape(), (std::vector<int64_t>{1, kWidth}));
    std::vector<Mat> l_layers = ref_layers(l, padded({513}));
    std::vector<int32_t> g_ids{514, 513, 320, 515};
    g_ids.resize(77, 0);
    Mat g_hidden;
    const Mat pooled = ref_open_clip_pooled(g, g_ids, &g_hidden);
    Mat joined;
    for (int64_t t = 0; t < 77; ++t) {
        joined.insert(joined.end(), l_layers[kLayers - 2].begin() + t * kWidth, l_layers[kLayers - 2].begin() + (t + 1) * kWidth);
        joined.insert(joined.end(), g_hidden.begin() + t * kWidth, g_hidden.begin() + (t + 1) * kWidth);
    }
    expect_close(r.cond.data(), joined, "L | G per token");
    expect_close(r.pooled.data(), pooled, "pooled from bigG");
}

struct ProgressLog {
    std::vector<int> steps;
    int cancel_at = -1;
    sdn::Context* ctx = nullptr;
};

void on_progress(const sdn_progress_t* p, void* user) {
    auto* log = static_cast<ProgressLog*>(user);
    EXPECT_EQ(p->stage, SDN_STAGE_TEXT_ENCODE);
    EXPECT_EQ(p->total, kLayers);
    log->steps.push_back(p->step);
    if (p->step == log->cancel_at) log->ctx->cancel();
}

TEST(ClipEncoder, ReportsProgressPerLayerAndHonoursCancel) {
    TinyClip m(8);
    auto model = std::make_shared<sdn::ClipTextModel>(m.lookup());
    sdn::ClipEncoder enc(tiny_tokenizer(), model);
    sdn::Context ctx = make_context();
    ProgressLog log;
    log.ctx = &ctx;
    ctx.set_progress_callback(on_progress, &log);
    enc.encode(ctx, "cat", -1);
    EXPECT_EQ(log.steps, (std::vector<int>{1, 2, 3}));

    log.steps.clear();
    log.cancel_at = 2;
    try {
        enc.encode(ctx, "cat", -1);
        FAIL() << "expected cancellation";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_CANCELLED);
    }
    EXPECT_EQ(log.steps, (std::vector<int>{1, 2}));
}

}  // namespace
