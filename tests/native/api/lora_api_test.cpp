// sdn_lora_apply on the tiny checkpoint: patched weights against a double-precision merge of
// the files' own bytes, only adapted weights copied, the input handles untouched (same
// checkpoint with and without the LoRA in one process), stacking in order, the "lora key not
// loaded" count, zero strengths and argument errors.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "api/clip_handle.h"
#include "api/model_handle.h"
#include "model/lora_side_path.h"
#include "model/test_lora_writer.h"
#include "model/test_model_writer.h"
#include "quant/row_ops.h"
#include "support/api_context.h"
#include "support/float32_variant.h"
#include "support/relative_error.h"
#include "support/shared_dir.h"
#include "support/tiny_lora.h"

namespace {

using namespace sdn_test;

struct Logs {
    std::vector<std::string> warnings;
};

void capture(int32_t level, const char* message, void* user) {
    if (level == SDN_LOG_WARN) static_cast<Logs*>(user)->warnings.push_back(message);
}

class LoraApi : public ::testing::Test {
protected:
    void SetUp() override {
        ctx = sdn_test::create_api_context();
        ASSERT_NE(ctx, nullptr);
        sdn_context_set_log_callback(ctx, capture, SDN_LOG_WARN, &logs);
        files = std::make_unique<TinyLoraFolder>(ctx);
    }
    void TearDown() override {
        files.reset();
        sdn_context_free(ctx);
    }
    sdn_model* load_model() {
        sdn_model* m = nullptr;
        EXPECT_EQ(sdn_checkpoint_load(ctx, files->model().c_str(), nullptr, &m, nullptr, nullptr), SDN_OK)
            << sdn_context_last_error(ctx);
        return m;
    }
    sdn_model* apply(sdn_model* base, const std::string& lora, float strength, sdn_lora_report_t* report = nullptr) {
        sdn_lora_params_t p;
        sdn_lora_params_init(&p);
        p.strength_model = strength;
        sdn_model* out = nullptr;
        EXPECT_EQ(sdn_lora_apply(ctx, lora.c_str(), &p, base, nullptr, &out, nullptr, report), SDN_OK)
            << sdn_context_last_error(ctx);
        return out;
    }
    // A test LoRA (seed 9) written as f16 under `name` in the folder; stems gets the UNet
    // weights its modules adapt.
    std::string write_lora(const sdn::TestLoraSpec& spec, const char* name, std::map<std::string, std::string>& stems) {
        std::vector<sdn::TestLoraModule> modules;
        const auto tensors = sdn::make_test_lora_tensors(sdn::TestModelSpec{}, spec, 9, &modules);
        const std::string path = (files->dir() / name).string();
        sdn::write_safetensors(path, tensors, sdn::DType::F16);
        for (const auto& m : modules)
            if (m.target.rfind("model.diffusion_model.", 0) == 0) stems[m.target] = m.stem;
        return path;
    }

    sdn_context* ctx = nullptr;
    Logs logs;
    std::unique_ptr<TinyLoraFolder> files;
};

// What the test LoRA's modules adapt, from the writer's own walk over the model.
std::map<std::string, std::string> stems_by_target(uint64_t seed) {
    std::vector<sdn::TestLoraModule> modules;
    sdn::make_test_lora_tensors(sdn::TestModelSpec{}, sdn::TestLoraSpec{}, seed, &modules);
    std::map<std::string, std::string> out;
    for (const auto& m : modules) out[m.target] = m.stem;
    return out;
}

std::vector<double> values_of(const sdn::WeightRef& w) {
    std::vector<float> f(static_cast<size_t>(w.elements()));
    sdn::dequantize_row_reference(w.type, w.data, f.data(), w.elements());
    return {f.begin(), f.end()};
}

// The patched tensor (copy or side-path factor) a handle holds under name, or null.
template <class Handle>
const sdn::WeightRef* patched_ref(const Handle& h, const std::string& name) {
    if (!h.loras.patched) return nullptr;
    auto it = h.loras.patched->refs.find(name);
    return it == h.loras.patched->refs.end() ? nullptr : &it->second;
}

// Every weight the handle reads: adapted ones equal the double merge of every LoRA applied
// (within one f16 step: the engine sums in f32 and rounds copies to f16), either as a patched
// copy or as the base weight plus its side path's up·down; the rest are the base's own bytes.
template <class Handle>
int check_patched(const Handle& base, const Handle& patched, const std::map<std::string, std::string>& stems,
                  const std::vector<std::pair<std::map<std::string, std::vector<double>>*, double>>& loras,
                  int* side_paths = nullptr) {
    int adapted = 0;
    EXPECT_EQ(patched.recipe, base.recipe) << "a LoRA handle builds on the same unpatched weights";
    for (const std::string& name : patched.recipe->names) {
        const sdn::WeightRef* b = base.recipe->lookup(name);
        if (!b) continue;
        const sdn::WeightRef* copy = patched_ref(patched, name);
        const sdn::WeightRef* down = patched_ref(patched, name + sdn::kLoraSideDown);
        const sdn::WeightRef* up = patched_ref(patched, name + sdn::kLoraSideUp);
        auto it = stems.find(name);
        if (it == stems.end()) {
            EXPECT_TRUE(!copy && !down) << name << " was patched although no module adapts it";
            continue;
        }
        ++adapted;
        std::vector<double> got;
        if (down) {
            EXPECT_EQ(copy, nullptr) << name;
            EXPECT_NE(up, nullptr) << name;
            if (!up) continue;
            got = values_of(*b);
            const std::vector<double> d = values_of(*down), u = values_of(*up);
            const int64_t rank = down->shape[0], cols = down->shape[1];
            for (int64_t i = 0; i < b->shape[0]; ++i)
                for (int64_t j = 0; j < cols; ++j)
                    for (int64_t k = 0; k < rank; ++k)
                        got[size_t(i * cols + j)] += u[size_t(i * rank + k)] * d[size_t(k * cols + j)];
            if (side_paths) ++*side_paths;
        } else {
            EXPECT_NE(copy, nullptr) << name << " is adapted but has no copy";
            if (!copy) continue;
            EXPECT_EQ(copy->type, sdn::DType::F16) << name;
            got = values_of(*copy);
        }
        const std::vector<double> want = merged_reference(values_of(*b), loras, it->second, b->shape[0]);
        EXPECT_EQ(got.size(), want.size()) << name;
        if (got.size() != want.size()) continue;
        double worst = 0;
        for (size_t i = 0; i < want.size(); ++i)
            worst = std::max(worst, std::abs(got[i] - want[i]) / (std::abs(want[i]) * 0x1p-10 + 0x1p-24));
        EXPECT_LE(worst, 1.0) << name << ": off by more than one f16 step";
    }
    return adapted;
}

TEST_F(LoraApi, AdaptedWeightsMatchADoubleMergeAndTheRestAreShared) {
    sdn_model* base = load_model();
    ASSERT_NE(base, nullptr);
    sdn_lora_report_t report;
    sdn_lora_report_init(&report);
    const std::string lora = files->lora(1);
    sdn_model* patched = apply(base, lora, 0.8f, &report);
    ASSERT_NE(patched, nullptr);
    auto values = file_values(lora);
    const auto stems = stems_by_target(1);
    const int adapted = check_patched(*base, *patched, stems, {{&values, 0.8}});
    // Tiny model: transformers in input_blocks.1, the middle and output_blocks.2/3, 12 modules each.
    EXPECT_EQ(adapted, 48);
    EXPECT_EQ(report.model_weights, 48);
    EXPECT_EQ(report.clip_weights, 0);
    EXPECT_EQ(report.modules, 48 + 12);
    // No CLIP given: its 12 modules (36 tensors) are not loaded, and each is said so.
    EXPECT_EQ(report.keys_not_loaded, 36);
    int te_warnings = 0;
    for (const auto& w : logs.warnings) te_warnings += w.rfind("lora key not loaded: lora_te_", 0) == 0;
    EXPECT_EQ(te_warnings, 36);
    sdn_model_free(patched);
    sdn_model_free(base);
}

TEST_F(LoraApi, TheBaseHandleComputesAsBeforeAndThePatchedOneAsAMergedCheckpoint) {
    sdn_model* base = load_model();
    ASSERT_NE(base, nullptr);
    const std::vector<float> before = eval_tiny_unet(ctx, base);
    const std::string lora = files->lora(1);
    sdn_model* patched = apply(base, lora, 0.8f);
    ASSERT_NE(patched, nullptr);
    const std::vector<float> with_lora = eval_tiny_unet(ctx, patched);
    const std::vector<float> after = eval_tiny_unet(ctx, base);
    EXPECT_EQ(after, before) << "applying a LoRA changed the handle it was applied to";
    EXPECT_GT(relative_rms(with_lora, before), 1e-2) << "the LoRA made no difference";

    // The same merge written into a checkpoint by the test, in double, rounded once to f16.
    auto lora_values = file_values(lora);
    const auto stems = stems_by_target(1);
    std::vector<sdn::TestTensor> merged;
    for (const auto& [name, v] : file_values(files->model())) {
        if (name.rfind("model.diffusion_model.", 0) != 0) continue;
        const sdn::WeightRef* w = base->recipe->lookup(name);
        ASSERT_NE(w, nullptr) << name;
        sdn::TestTensor t;
        t.name = name;
        t.shape = w->shape;
        auto it = stems.find(name);
        const std::vector<double> m = it == stems.end() ? v : merged_reference(v, {{&lora_values, 0.8}}, it->second, w->shape[0]);
        t.values.assign(m.begin(), m.end());
        merged.push_back(std::move(t));
    }
    const std::string merged_path = (files->dir() / "merged.safetensors").string();
    sdn::write_safetensors(merged_path, merged, sdn::DType::F16);
    sdn_model* reference = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, merged_path.c_str(), nullptr, &reference, nullptr, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    const std::vector<float> want = eval_tiny_unet(ctx, reference);
    EXPECT_LT(relative_rms(with_lora, want), 2e-3);
    sdn_model_free(reference);
    sdn_model_free(patched);
    sdn_model_free(base);
}

TEST_F(LoraApi, LorasStackInOrder) {
    sdn_model* base = load_model();
    ASSERT_NE(base, nullptr);
    const std::string a = files->lora(1), b = files->lora(2);
    sdn_model* once = apply(base, a, 0.8f);
    sdn_model* twice = apply(once, b, -0.5f);
    ASSERT_NE(twice, nullptr);
    auto va = file_values(a), vb = file_values(b);
    EXPECT_EQ(check_patched(*base, *twice, stems_by_target(1), {{&va, 0.8}, {&vb, -0.5}}), 48);
    // The first LoRA's handle still holds only the first LoRA.
    EXPECT_EQ(check_patched(*base, *once, stems_by_target(1), {{&va, 0.8}}), 48);
    sdn_model_free(twice);
    sdn_model_free(once);
    sdn_model_free(base);
}

TEST_F(LoraApi, LoconAndPeftFilesPatchAsTheirFormulasSay) {
    sdn_model* base = load_model();
    ASSERT_NE(base, nullptr);
    for (const auto naming : {sdn::TestLoraNaming::Kohya, sdn::TestLoraNaming::Peft}) {
        sdn::TestLoraSpec spec;
        spec.naming = naming;
        spec.locon = naming == sdn::TestLoraNaming::Kohya;  // resnet convs, one with lora_mid
        std::map<std::string, std::string> stems;
        const std::string path = write_lora(spec, spec.locon ? "locon.safetensors" : "peft.safetensors", stems);
        sdn_model* patched = apply(base, path, 0.7f);
        ASSERT_NE(patched, nullptr);
        auto values = file_values(path);
        // Tiny model: 48 attention weights, and with LoCon the 3x3 convs of its 8 resnets.
        EXPECT_EQ(check_patched(*base, *patched, stems, {{&values, 0.7}}), spec.locon ? 64 : 48);
        sdn_model_free(patched);
    }
    sdn_model_free(base);
}

// On a quantized base: by default exact f16 copies of every adapted weight; asked for, side
// paths on the transformers' linear weights, which keep their stored bytes (the 1x1-conv
// projections, SD1's proj_in/proj_out, still get f16 copies).
TEST(LoraApiQuantized, QuantizedBasesGetF16CopiesOrSidePaths) {
    // float32 products: the side path's bound is the kernel's float32 error, which a bfloat16
    // variant's operand rounding would swamp (bf16_accuracy_test covers those variants).
    sdn_context* ctx = sdn_test::create_api_context(2, sdn_test::Products::Float32);
    ASSERT_NE(ctx, nullptr);
    {
        TinyLoraFolder files(ctx, "q8_0");
        sdn_model* base = nullptr;
        ASSERT_EQ(sdn_checkpoint_load(ctx, files.model().c_str(), nullptr, &base, nullptr, nullptr), SDN_OK)
            << sdn_context_last_error(ctx);
        const std::string a = files.lora(1), b = files.lora(2);
        sdn_lora_params_t p;
        sdn_lora_params_init(&p);
        EXPECT_EQ(p.side_path, 0);
        sdn_model* copies = nullptr;
        ASSERT_EQ(sdn_lora_apply(ctx, a.c_str(), &p, base, nullptr, &copies, nullptr, nullptr), SDN_OK)
            << sdn_context_last_error(ctx);
        p.side_path = 1;
        sdn_model* once = nullptr;
        ASSERT_EQ(sdn_lora_apply(ctx, a.c_str(), &p, base, nullptr, &once, nullptr, nullptr), SDN_OK)
            << sdn_context_last_error(ctx);
        p.strength_model = -0.5f;
        sdn_model* twice = nullptr;
        sdn_lora_report_t report;
        sdn_lora_report_init(&report);
        ASSERT_EQ(sdn_lora_apply(ctx, b.c_str(), &p, once, nullptr, &twice, nullptr, &report), SDN_OK);
        EXPECT_EQ(report.model_weights, 48);
        const auto stems = stems_by_target(1);
        int quantized = 0;
        for (const auto& [target, stem] : stems)
            if (const sdn::WeightRef* w = base->recipe->lookup(target)) quantized += w->type == sdn::DType::Q8_0;
        EXPECT_GT(quantized, 20) << "the tiny q8_0 model should store most adapted weights as q8_0";
        auto va = file_values(a), vb = file_values(b);
        int side = 0;
        EXPECT_EQ(check_patched(*base, *copies, stems, {{&va, 1.0}}, &side), 48);
        EXPECT_EQ(side, 0);
        EXPECT_EQ(check_patched(*base, *once, stems, {{&va, 1.0}}, &side), 48);
        EXPECT_EQ(side, 40);  // 4 transformers x (q, k, v, out) x 2 attentions + 2 feed-forward
        side = 0;
        EXPECT_EQ(check_patched(*base, *twice, stems, {{&va, 1.0}, {&vb, -0.5}}, &side), 48);
        EXPECT_EQ(side, 40);
        // The side paths compute what the same merge written into an f32 model computes, up
        // to what the q8_0 kernels themselves differ from f32 on the base.
        auto f32_model = [&](const std::string& file, bool with_lora) {
            std::vector<sdn::TestTensor> tensors;
            for (const auto& [name, v] : file_values(files.model())) {
                if (name.rfind("model.diffusion_model.", 0) != 0) continue;
                const sdn::WeightRef* w = base->recipe->lookup(name);
                sdn::TestTensor t;
                t.name = name;
                t.shape = w->shape;
                auto it = stems.find(name);
                // The f16 copies (checked above) are taken as they are, to compare side paths only.
                const sdn::WeightRef* copy = with_lora ? patched_ref(*once, name) : nullptr;
                const std::vector<double> m = copy ? values_of(*copy)
                                              : !with_lora || it == stems.end()
                                                  ? v
                                                  : merged_reference(v, {{&va, 1.0}}, it->second, w->shape[0]);
                t.values.assign(m.begin(), m.end());
                tensors.push_back(std::move(t));
            }
            const std::string path = (files.dir() / file).string();
            sdn::write_safetensors(path, tensors, sdn::DType::F32);
            sdn_model* m = nullptr;
            EXPECT_EQ(sdn_checkpoint_load(ctx, path.c_str(), nullptr, &m, nullptr, nullptr), SDN_OK);
            std::vector<float> out = eval_tiny_unet(ctx, m);
            sdn_model_free(m);
            return out;
        };
        const std::vector<float> with_side = eval_tiny_unet(ctx, once), plain = eval_tiny_unet(ctx, base);
        const double kernel_error = relative_rms(plain, f32_model("plain.safetensors", false));
        EXPECT_LT(kernel_error, 3e-3);
        EXPECT_LT(relative_rms(with_side, f32_model("merged.safetensors", true)), 2 * kernel_error + 1e-5);
        EXPECT_GT(relative_rms(with_side, plain), 1e-2);
        sdn_model_free(twice);
        sdn_model_free(once);
        sdn_model_free(copies);
        sdn_model_free(base);
    }
    sdn_context_free(ctx);
}

// A q8_0 conversion in the "flattened" conv layout keeps the UNet's 3x3 convs as q8_0 rows of
// C*3*3; LoCon modules on them get f16 copies of the merge, read from those rows.
TEST_F(LoraApi, LoconOnConvsKeptAsQ8_0RowsPatchesAsItsFormulaSays) {
    const std::string q8 = (files->dir() / "tiny_q8_0.gguf").string();
    ASSERT_EQ(sdn_convert_with_conv_layout(ctx, files->model().c_str(), q8.c_str(), "q8_0", nullptr, "flattened"), SDN_OK)
        << sdn_context_last_error(ctx);
    sdn_model* base = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, q8.c_str(), nullptr, &base, nullptr, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    const sdn::WeightRef* conv = base->recipe->lookup("model.diffusion_model.input_blocks.1.0.in_layers.2.weight");
    ASSERT_NE(conv, nullptr);
    EXPECT_EQ(conv->type, sdn::DType::Q8_0);
    EXPECT_EQ(conv->row_elems(), conv->shape[1] * 9);
    sdn::TestLoraSpec spec;
    spec.locon = true;
    std::map<std::string, std::string> stems;
    const std::string path = write_lora(spec, "locon.safetensors", stems);
    sdn_model* patched = apply(base, path, 0.7f);
    ASSERT_NE(patched, nullptr);
    auto values = file_values(path);
    EXPECT_EQ(check_patched(*base, *patched, stems, {{&values, 0.7}}), 64);
    sdn_model_free(patched);
    sdn_model_free(base);
}

TEST_F(LoraApi, AGgufLoraPatchesAsItsSafetensorsTwin) {
    sdn_model* base = load_model();
    ASSERT_NE(base, nullptr);
    const std::string gguf = (files->dir() / "lora_1.gguf").string();
    ASSERT_EQ(sdn_make_test_lora(ctx, gguf.c_str(), 1), SDN_OK) << sdn_context_last_error(ctx);
    sdn_model* patched = apply(base, gguf, 0.8f);
    ASSERT_NE(patched, nullptr);
    auto values = file_values(files->lora(1));  // the same tensors, from the safetensors file
    EXPECT_EQ(check_patched(*base, *patched, stems_by_target(1), {{&values, 0.8}}), 48);
    sdn_model_free(patched);
    sdn_model_free(base);
}

TEST_F(LoraApi, UnknownModulesAreCountedAndWarnedAbout) {
    std::vector<sdn::TestTensor> tensors = sdn::make_test_lora_tensors(sdn::TestModelSpec{}, sdn::TestLoraSpec{}, 3);
    for (const char* suffix : {".lora_up.weight", ".lora_down.weight", ".alpha"}) {
        sdn::TestTensor t;
        t.name = std::string("lora_unet_no_such_layer") + suffix;
        t.shape = {2, 2};
        t.values = {1, 2, 3, 4};
        tensors.push_back(t);
    }
    const std::string path = (files->dir() / "extra.safetensors").string();
    sdn::write_safetensors(path, tensors, sdn::DType::F16);
    sdn_model* base = load_model();
    sdn_lora_report_t report;
    sdn_lora_report_init(&report);
    sdn_model* patched = apply(base, path, 1.0f, &report);
    ASSERT_NE(patched, nullptr);
    EXPECT_EQ(report.keys_not_loaded, 36 + 3);
    std::set<std::string> named(logs.warnings.begin(), logs.warnings.end());
    EXPECT_TRUE(named.count("lora key not loaded: lora_unet_no_such_layer.lora_up.weight"));
    EXPECT_TRUE(named.count("lora key not loaded: lora_unet_no_such_layer.alpha"));
    sdn_model_free(patched);
    sdn_model_free(base);
}

TEST_F(LoraApi, ZeroStrengthsShareTheNetworksAndReadNothing) {
    sdn_model* base = load_model();
    sdn_lora_params_t p;
    sdn_lora_params_init(&p);
    EXPECT_EQ(p.strength_model, 1.0f);
    EXPECT_EQ(p.strength_clip, 1.0f);
    p.strength_model = 0;
    p.strength_clip = 0;
    sdn_model* out = nullptr;
    const std::string missing = (files->dir() / "not_there.safetensors").string();
    ASSERT_EQ(sdn_lora_apply(ctx, missing.c_str(), &p, base, nullptr, &out, nullptr, nullptr), SDN_OK);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out->model, base->model);
    sdn_model_free(out);
    sdn_model_free(base);
}

TEST_F(LoraApi, BadArgumentsAndMissingFilesFailWithAReason) {
    sdn_model* base = load_model();
    sdn_model* out = nullptr;
    EXPECT_EQ(sdn_lora_apply(ctx, files->lora(1).c_str(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(sdn_lora_apply(ctx, files->lora(1).c_str(), nullptr, base, nullptr, nullptr, nullptr, nullptr),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sdn_context_last_error(ctx)).find("model_out"), std::string::npos);
    const std::string missing = (files->dir() / "not_there.safetensors").string();
    EXPECT_EQ(sdn_lora_apply(ctx, missing.c_str(), nullptr, base, nullptr, &out, nullptr, nullptr), SDN_ERR_IO);
    EXPECT_NE(std::string(sdn_context_last_error(ctx)).find("not_there.safetensors"), std::string::npos);
    EXPECT_EQ(out, nullptr);
    // A checkpoint is no LoRA.
    EXPECT_EQ(sdn_lora_apply(ctx, files->model().c_str(), nullptr, base, nullptr, &out, nullptr, nullptr),
              SDN_ERR_FORMAT);
    sdn_model_free(base);
}

TEST_F(LoraApi, TheTextEncoderIsPatchedWithStrengthClipAndTheBaseEncodesAsBefore) {
    SDN_REQUIRE_SHARED_DIR(shared);
    const std::string vocab = shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz";
    sdn_load_options_t opt;
    sdn_load_options_init(&opt);
    opt.tokenizer_path = vocab.c_str();
    sdn_model* model = nullptr;
    sdn_clip* clip = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, files->model().c_str(), &opt, &model, &clip, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    auto encode = [&](sdn_clip* c) {
        sdn_tensor* cond = nullptr;
        EXPECT_EQ(sdn_clip_encode(ctx, c, "a lighthouse at dusk", -1, &cond, nullptr), SDN_OK);
        std::vector<float> v(sdn_tensor_data(cond), sdn_tensor_data(cond) + sdn_tensor_element_count(cond));
        sdn_tensor_free(cond);
        return v;
    };
    const std::vector<float> before = encode(clip);
    sdn_lora_params_t p;
    sdn_lora_params_init(&p);
    p.strength_model = 0.5f;
    p.strength_clip = 1.5f;
    sdn_model* model_out = nullptr;
    sdn_clip* clip_out = nullptr;
    sdn_lora_report_t report;
    sdn_lora_report_init(&report);
    const std::string lora = files->lora(4);
    ASSERT_EQ(sdn_lora_apply(ctx, lora.c_str(), &p, model, clip, &model_out, &clip_out, &report), SDN_OK)
        << sdn_context_last_error(ctx);
    EXPECT_EQ(report.clip_weights, 12);
    EXPECT_EQ(report.model_weights, 48);
    EXPECT_EQ(report.keys_not_loaded, 0);
    auto values = file_values(lora);
    EXPECT_EQ(check_patched(*clip, *clip_out, stems_by_target(4), {{&values, 1.5}}), 12);
    EXPECT_EQ(check_patched(*model, *model_out, stems_by_target(4), {{&values, 0.5}}), 48);
    const std::vector<float> patched = encode(clip_out);
    EXPECT_EQ(encode(clip), before);
    EXPECT_GT(relative_rms(patched, before), 1e-2);
    sdn_clip_free(clip_out);
    sdn_model_free(model_out);
    sdn_clip_free(clip);
    sdn_model_free(model);
}

}  // namespace
