// Loading test checkpoints through the C API in every format: zero missing and zero
// unexpected tensors (read from the debug log), an evaluation that runs, architecture
// refusals, components that are never read, and hostile files that fail with a message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "api/handles.h"
#include "api/model_handle.h"
#include "api/vae_handle.h"
#include "model/test_model_writer.h"
#include "quant/dtype.h"
#include "sdnative.h"
#include "support/api_context.h"
#include "support/float32_variant.h"
#include "support/relative_error.h"
#include "weight_rounding_bound.h"

namespace {

namespace fs = std::filesystem;

struct Logs {
    std::vector<std::pair<int, std::string>> lines;
    int count(int level) const {
        int n = 0;
        for (const auto& l : lines) n += l.first == level;
        return n;
    }
    bool contains(const std::string& s) const {
        for (const auto& l : lines)
            if (l.second.find(s) != std::string::npos) return true;
        return false;
    }
};

using sdn_test::relative_rms;

void capture(int32_t level, const char* message, void* user) {
    static_cast<Logs*>(user)->lines.emplace_back(level, message);
}

class CheckpointLoad : public ::testing::Test {
protected:
    void SetUp() override {
        // Float32 products: a bf16 variant rounds f32 weights to bf16 itself, so the bf16
        // file would give exactly the f32 result and the "narrower type" check could not hold.
        ctx = sdn_test::create_api_context(2, sdn_test::Products::Float32);
        ASSERT_NE(ctx, nullptr);
        sdn_context_set_log_callback(ctx, capture, SDN_LOG_DEBUG, &logs);
        dir = fs::path(::testing::TempDir()) /
              ("sdn_ckpt_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::create_directories(dir);
    }
    void TearDown() override {
        sdn_context_free(ctx);
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string path(const std::string& name) const { return (dir / name).string(); }

    // One UNet evaluation at 8x8 with a batch of two; returns the eps values (empty when the
    // call failed; *status gets its status when asked for, else it must be SDN_OK).
    std::vector<float> eval(sdn_model* model, sdn_status* status = nullptr) {
        const int64_t xd[4] = {2, 4, 8, 8}, cd[3] = {2, 5, 64};
        sdn_tensor *x = nullptr, *c = nullptr, *eps = nullptr;
        EXPECT_EQ(sdn_tensor_create(4, xd, nullptr, &x), SDN_OK);
        EXPECT_EQ(sdn_tensor_create(3, cd, nullptr, &c), SDN_OK);
        float* xv = sdn_tensor_data_mut(x);
        for (int64_t i = 0; i < sdn_tensor_element_count(x); ++i) xv[i] = std::sin(0.1f * i);
        float* cv = sdn_tensor_data_mut(c);
        for (int64_t i = 0; i < sdn_tensor_element_count(c); ++i) cv[i] = std::cos(0.3f * i);
        const float t[2] = {999.0f, 20.0f};
        std::vector<float> out;
        const sdn_status s = sdn_model_eval(ctx, model, x, t, c, &eps);
        if (status) *status = s;
        else EXPECT_EQ(s, SDN_OK) << sdn_context_last_error(ctx);
        if (eps) out.assign(sdn_tensor_data(eps), sdn_tensor_data(eps) + sdn_tensor_element_count(eps));
        sdn_tensor_free(x);
        sdn_tensor_free(c);
        sdn_tensor_free(eps);
        return out;
    }

    // The relative RMS error, against `reference` (the f32 file of seed 42), of the model whose
    // weights carry the worst-case rounding error of `type` (weight_rounding_bound.h).
    double rounding_bound(sdn::DType type, const std::vector<float>& reference) {
        const std::string p = path(std::string("worst_case_") + sdn::dtype_traits(type).name + ".safetensors");
        sdn::write_safetensors(
            p, unet_test::worst_case_rounded(sdn::make_test_model_tensors(sdn::TestModelSpec{}, 42), type),
            sdn::DType::F32);
        sdn_model* model = nullptr;
        EXPECT_EQ(sdn_checkpoint_load(ctx, p.c_str(), nullptr, &model, nullptr, nullptr), SDN_OK)
            << sdn_context_last_error(ctx);
        const double bound = relative_rms(eval(model), reference);
        sdn_model_free(model);
        return bound;
    }

    sdn_context* ctx = nullptr;
    Logs logs;
    fs::path dir;
};

struct Format {
    const char* file;
    const char* type;
};

TEST_F(CheckpointLoad, EveryFormatLoadsWithNothingMissingOrUnexpected) {
    std::vector<float> reference;
    for (const Format f : {Format{"m.safetensors", "f32"}, Format{"m16.safetensors", "f16"},
                           Format{"mb.safetensors", "bf16"}, Format{"m16.gguf", "f16"},
                           Format{"m8.gguf", "q8_0"}, Format{"m4.gguf", "q4_0"}}) {
        SCOPED_TRACE(std::string(f.file) + " " + f.type);
        logs.lines.clear();
        const std::string p = path(f.file);
        ASSERT_EQ(sdn_make_test_model(ctx, p.c_str(), f.type, 42), SDN_OK)
            << sdn_context_last_error(ctx);
        sdn_model* model = nullptr;
        sdn_vae* vae = nullptr;
        ASSERT_EQ(sdn_checkpoint_load(ctx, p.c_str(), nullptr, &model, nullptr, &vae), SDN_OK)
            << sdn_context_last_error(ctx);
        EXPECT_EQ(sdn_model_arch(model), SDN_ARCH_SD1);
        EXPECT_TRUE(logs.contains("missing 0, unexpected 0")) << "no clean load summary";
        EXPECT_EQ(logs.count(SDN_LOG_WARN), 0);
        ASSERT_NE(vae, nullptr);
        sdn_status status = SDN_OK;
        const std::vector<float> eps = eval(model, &status);
        ASSERT_EQ(status, SDN_OK) << sdn_context_last_error(ctx);
        ASSERT_EQ(eps.size(), 2u * 4 * 8 * 8);
        for (float v : eps) ASSERT_TRUE(std::isfinite(v));
        if (reference.empty()) {
            reference = eps;
        } else {
            // Same random weights in a narrower type: the relative RMS error of the result
            // stays within what the type's rounding of these weights allows
            // (weight_rounding_bound.h), and is not zero (the type really was narrower).
            const double error = relative_rms(eps, reference);
            const double bound = rounding_bound(sdn::dtype_from_name(f.type), reference);
            std::printf("%s %s: relative RMS error %.3g, bound %.3g\n", f.file, f.type, error, bound);
            EXPECT_GT(error, 0.0);
            EXPECT_LT(error, bound);
        }
        sdn_model_free(model);
        sdn_vae_free(vae);
    }
}

TEST_F(CheckpointLoad, ComponentsWithNullOutPointersAreNeverRead) {
    // A checkpoint whose UNet is broken still yields its VAE when only the VAE is requested.
    auto tensors = sdn::make_test_model_tensors(sdn::TestModelSpec{}, 3);
    std::vector<sdn::TestTensor> kept;
    for (auto& t : tensors)
        if (t.name != "model.diffusion_model.out.2.weight") kept.push_back(std::move(t));
    const std::string p = path("broken_unet.safetensors");
    sdn::write_safetensors(p, kept, sdn::DType::F16);
    sdn_vae* vae = nullptr;
    EXPECT_EQ(sdn_checkpoint_load(ctx, p.c_str(), nullptr, nullptr, nullptr, &vae), SDN_OK)
        << sdn_context_last_error(ctx);
    EXPECT_NE(vae, nullptr);
    sdn_vae_free(vae);
    sdn_model* model = nullptr;
    EXPECT_EQ(sdn_checkpoint_load(ctx, p.c_str(), nullptr, &model, nullptr, nullptr), SDN_ERR_FORMAT);
    EXPECT_EQ(model, nullptr);
    EXPECT_NE(std::string(sdn_context_last_error(ctx)).find("model.diffusion_model.out.2.weight"),
              std::string::npos)
        << sdn_context_last_error(ctx);
}

TEST_F(CheckpointLoad, UnexpectedTensorIsAWarningNamingIt) {
    auto tensors = sdn::make_test_model_tensors(sdn::TestModelSpec{}, 3);
    sdn::TestTensor extra;
    extra.name = "model.diffusion_model.input_blocks.1.1.surprise.weight";
    extra.shape = {4, 4};
    extra.values.assign(16, 0.5f);
    tensors.push_back(extra);
    const std::string p = path("extra.safetensors");
    sdn::write_safetensors(p, tensors, sdn::DType::F16);
    sdn_model* model = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, p.c_str(), nullptr, &model, nullptr, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    EXPECT_GE(logs.count(SDN_LOG_WARN), 1);
    EXPECT_TRUE(logs.contains("unexpected tensor model.diffusion_model.input_blocks.1.1.surprise.weight"));
    sdn_model_free(model);
}

TEST_F(CheckpointLoad, UnetOnlyGgufWithBareNamesLoads) {
    sdn::TestModelSpec spec;
    spec.with_clip = spec.with_vae = spec.with_schedule_buffers = false;
    auto tensors = sdn::make_test_model_tensors(spec, 5);
    for (auto& t : tensors) t.name = t.name.substr(std::string("model.diffusion_model.").size());
    const std::string p = path("unet_only.gguf");
    sdn::write_gguf(p, tensors, sdn::DType::Q8_0, {});
    sdn_model* model = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, p.c_str(), nullptr, &model, nullptr, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    EXPECT_TRUE(logs.contains("missing 0, unexpected 0"));
    sdn_model_free(model);
    sdn_vae* vae = nullptr;
    EXPECT_EQ(sdn_checkpoint_load(ctx, p.c_str(), nullptr, nullptr, nullptr, &vae), SDN_ERR_NOT_FOUND);
}

std::string info_json(sdn_context* ctx, const std::string& p) {
    int64_t need = 0;
    EXPECT_EQ(sdn_model_info(ctx, p.c_str(), nullptr, 0, &need), SDN_OK) << sdn_context_last_error(ctx);
    std::string buf(static_cast<size_t>(std::max<int64_t>(need, 1)), '\0');
    EXPECT_EQ(sdn_model_info(ctx, p.c_str(), buf.data(), need, &need), SDN_OK);
    return std::string(buf.c_str());
}

TEST_F(CheckpointLoad, Sd2AndSdxlUnetsLoadWithTheirArchitectureAndPrediction) {
    struct Case {
        sdn::TestModelSpec spec;
        sdn_arch arch;
        sdn_prediction prediction;
    };
    sdn::TestModelSpec v = sdn::tiny_sd2_spec();
    v.v_pred_key = true;
    for (Case c : {Case{sdn::tiny_sd2_spec(), SDN_ARCH_SD2, SDN_PREDICTION_EPS},
                   Case{v, SDN_ARCH_SD2, SDN_PREDICTION_V},
                   Case{sdn::tiny_sdxl_spec(), SDN_ARCH_SDXL, SDN_PREDICTION_EPS},
                   Case{sdn::tiny_sdxl_refiner_spec(), SDN_ARCH_SDXL_REFINER, SDN_PREDICTION_EPS}}) {
        c.spec.with_clip = c.spec.with_vae = false;
        const std::string p = path("arch" + std::to_string(c.arch) + "_" + std::to_string(c.prediction) + ".safetensors");
        sdn::write_safetensors(p, sdn::make_test_model_tensors(c.spec, 1), sdn::DType::F16);
        logs = {};
        sdn_model* model = nullptr;
        ASSERT_EQ(sdn_checkpoint_load(ctx, p.c_str(), nullptr, &model, nullptr, nullptr), SDN_OK)
            << sdn_context_last_error(ctx);
        EXPECT_EQ(sdn_model_arch(model), c.arch);
        EXPECT_EQ(sdn_model_prediction(model), c.prediction);
        EXPECT_TRUE(logs.contains("missing 0, unexpected 0")) << p;
        sdn_model_free(model);
        // sdnative info reports both, with every UNet tensor accounted for.
        const std::string json = info_json(ctx, p);
        const char* arch = c.arch == SDN_ARCH_SD2 ? "sd2" : c.arch == SDN_ARCH_SDXL ? "sdxl" : "sdxl_refiner";
        EXPECT_NE(json.find(std::string("\"architecture\":\"") + arch + "\""), std::string::npos) << json;
        EXPECT_NE(json.find(c.prediction == SDN_PREDICTION_V ? "\"prediction\":\"v_prediction\""
                                                             : "\"prediction\":\"eps\""),
                  std::string::npos)
            << json;
        EXPECT_NE(json.find("\"missing\":[],\"unexpected\":[]"), std::string::npos) << json;

        // A q8_0 GGUF conversion keeps the architecture and the v_pred marker.
        const std::string g = p + ".gguf";
        ASSERT_EQ(sdn_convert(ctx, p.c_str(), g.c_str(), "q8_0", nullptr), SDN_OK) << sdn_context_last_error(ctx);
        ASSERT_EQ(sdn_checkpoint_load(ctx, g.c_str(), nullptr, &model, nullptr, nullptr), SDN_OK)
            << sdn_context_last_error(ctx);
        EXPECT_EQ(sdn_model_arch(model), c.arch) << g;
        EXPECT_EQ(sdn_model_prediction(model), c.prediction) << g;
        sdn_model_free(model);
    }
}

TEST_F(CheckpointLoad, HostileFilesFailWithStatusAndMessage) {
    const std::string good = path("good.safetensors");
    ASSERT_EQ(sdn_make_test_model(ctx, good.c_str(), "f16", 1), SDN_OK);
    const auto size = fs::file_size(good);
    struct Case {
        std::string name;
        std::function<void(const std::string&)> make;
    };
    const std::vector<Case> cases = {
        {"truncated", [&](const std::string& p) {
             fs::copy_file(good, p);
             fs::resize_file(p, size / 2);
         }},
        {"garbage", [&](const std::string& p) {
             std::ofstream(p) << "this is not a model file at all, just some words";
         }},
        {"empty", [&](const std::string& p) { std::ofstream(p).close(); }},
        {"header_too_long", [&](const std::string& p) {
             std::ofstream f(p, std::ios::binary);
             const uint64_t n = 1ull << 60;
             f.write(reinterpret_cast<const char*>(&n), 8);
             f << "{}";
         }},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const std::string p = path(c.name + ".safetensors");
        c.make(p);
        sdn_model* model = nullptr;
        const sdn_status s = sdn_checkpoint_load(ctx, p.c_str(), nullptr, &model, nullptr, nullptr);
        EXPECT_TRUE(s == SDN_ERR_FORMAT || s == SDN_ERR_IO) << s;
        EXPECT_EQ(model, nullptr);
        EXPECT_GT(std::string(sdn_context_last_error(ctx)).size(), 10u);
    }
    sdn_model* model = nullptr;
    EXPECT_EQ(sdn_checkpoint_load(ctx, path("absent.safetensors").c_str(), nullptr, &model, nullptr,
                                  nullptr),
              SDN_ERR_IO);
    EXPECT_EQ(sdn_checkpoint_load(ctx, good.c_str(), nullptr, nullptr, nullptr, nullptr),
              SDN_ERR_INVALID_ARGUMENT);
}

TEST_F(CheckpointLoad, ModelInfoDescribesTheFile) {
    const std::string p = path("info.gguf");
    ASSERT_EQ(sdn_make_test_model(ctx, p.c_str(), "q8_0", 1), SDN_OK);
    int64_t need = 0;
    ASSERT_EQ(sdn_model_info(ctx, p.c_str(), nullptr, 0, &need), SDN_OK) << sdn_context_last_error(ctx);
    ASSERT_GT(need, 1);
    std::string buf(static_cast<size_t>(need), '\0');
    ASSERT_EQ(sdn_model_info(ctx, p.c_str(), buf.data(), need, &need), SDN_OK);
    const std::string json(buf.c_str());
    EXPECT_NE(json.find("\"format\":\"gguf\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"architecture\":\"sd1\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"components\":[\"unet\",\"clip\",\"vae\"]"), std::string::npos) << json;
    EXPECT_NE(json.find("\"q8_0\":"), std::string::npos) << json;
    EXPECT_NE(json.find("\"missing\":[]"), std::string::npos) << json;
    EXPECT_NE(json.find("\"unexpected\":[]"), std::string::npos) << json;
}

TEST_F(CheckpointLoad, ConvertedCheckpointLoadsAndAgrees) {
    const std::string src = path("src.safetensors"), dst = path("dst.gguf");
    ASSERT_EQ(sdn_make_test_model(ctx, src.c_str(), "f32", 9), SDN_OK);
    ASSERT_EQ(sdn_convert(ctx, src.c_str(), dst.c_str(), "f16", nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    sdn_model *a = nullptr, *b = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, src.c_str(), nullptr, &a, nullptr, nullptr), SDN_OK);
    logs.lines.clear();
    ASSERT_EQ(sdn_checkpoint_load(ctx, dst.c_str(), nullptr, &b, nullptr, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    EXPECT_TRUE(logs.contains("missing 0, unexpected 0"));
    const auto ea = eval(a), eb = eval(b);
    ASSERT_EQ(ea.size(), eb.size());
    double err = 0, ref = 0;
    for (size_t i = 0; i < ea.size(); ++i) {
        err = std::max(err, double(std::fabs(ea[i] - eb[i])));
        ref = std::max(ref, double(std::fabs(ea[i])));
    }
    EXPECT_GT(err, 0.0);  // really converted to f16
    EXPECT_LT(err, 0.1 * ref);
    sdn_model_free(a);
    sdn_model_free(b);
}

}  // namespace

namespace {

struct CancelAt {
    sdn_context* ctx;
    int block;
    std::vector<int> steps;
};

void cancel_on_progress(const sdn_progress_t* p, void* user) {
    auto* c = static_cast<CancelAt*>(user);
    if (p->stage != SDN_STAGE_UNET) return;
    c->steps.push_back(p->step);
    if (p->step == c->block) sdn_context_cancel(c->ctx);
}

TEST_F(CheckpointLoad, EvalCancelledFromProgressReturnsCancelled) {
    const std::string p = path("cancel.safetensors");
    ASSERT_EQ(sdn_make_test_model(ctx, p.c_str(), "f16", 4), SDN_OK);
    sdn_model* model = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, p.c_str(), nullptr, &model, nullptr, nullptr), SDN_OK);
    for (int k : {1, 4}) {
        CancelAt c{ctx, k, {}};
        sdn_context_reset_cancel(ctx);
        sdn_context_set_progress_callback(ctx, cancel_on_progress, &c);
        sdn_status status = SDN_OK;
        const auto eps = eval(model, &status);
        EXPECT_EQ(status, SDN_ERR_CANCELLED) << "cancel at block " << k;
        EXPECT_TRUE(eps.empty());
        ASSERT_FALSE(c.steps.empty());
        EXPECT_LT(c.steps.back(), k + 2) << "progress for block k+2 arrived";
    }
    sdn_context_set_progress_callback(ctx, nullptr, nullptr);
    sdn_context_reset_cancel(ctx);
    EXPECT_EQ(eval(model).size(), 2u * 4 * 8 * 8);  // usable again after reset
    sdn_model_free(model);
}

}  // namespace

namespace {

TEST_F(CheckpointLoad, ConvertingAQuantizedGgufKeepsItsBlocks) {
    const std::string src = path("q8.gguf"), dst = path("again.gguf");
    ASSERT_EQ(sdn_make_test_model(ctx, src.c_str(), "q8_0", 2), SDN_OK);
    ASSERT_EQ(sdn_convert(ctx, src.c_str(), dst.c_str(), "q4_0", nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    int64_t need = 0;
    ASSERT_EQ(sdn_model_info(ctx, dst.c_str(), nullptr, 0, &need), SDN_OK);
    std::string buf(static_cast<size_t>(need), '\0');
    ASSERT_EQ(sdn_model_info(ctx, dst.c_str(), buf.data(), need, &need), SDN_OK);
    EXPECT_NE(buf.find("\"q8_0\":"), std::string::npos) << buf;
    EXPECT_EQ(buf.find("\"q4_0\":"), std::string::npos) << buf;
    sdn_model* model = nullptr;
    EXPECT_EQ(sdn_checkpoint_load(ctx, dst.c_str(), nullptr, &model, nullptr, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    sdn_model_free(model);
}

}  // namespace

namespace {

// The offset in a safetensors file of a tensor's first byte (8-byte header length, JSON header,
// then data_offsets relative to the end of the header).
size_t safetensors_data_offset(const std::string& file, const std::string& tensor) {
    std::ifstream in(file, std::ios::binary);
    uint64_t header_len = 0;
    in.read(reinterpret_cast<char*>(&header_len), 8);
    std::string header(static_cast<size_t>(header_len), '\0');
    in.read(header.data(), static_cast<std::streamsize>(header_len));
    const size_t entry = header.find("\"" + tensor + "\"");
    const size_t offsets = header.find("\"data_offsets\":[", entry);
    if (entry == std::string::npos || offsets == std::string::npos) return 0;
    return 8 + static_cast<size_t>(header_len) +
           std::stoull(header.substr(offsets + std::string("\"data_offsets\":[").size()));
}

TEST_F(CheckpointLoad, OneFlippedBitInAStoredWeightBreaksTheBound) {
    // The f16 comparison of EveryFormatLoadsWithNothingMissingOrUnexpected must notice a
    // single corrupted bit: double one weight of the output conv (set the lowest exponent bit
    // of its largest weight whose bit is clear) and the error leaves the f16 bound.
    const std::string ref_path = path("ref.safetensors"), bad_path = path("bad.safetensors");
    ASSERT_EQ(sdn_make_test_model(ctx, ref_path.c_str(), "f32", 42), SDN_OK);
    ASSERT_EQ(sdn_make_test_model(ctx, bad_path.c_str(), "f16", 42), SDN_OK);
    const std::string tensor = "model.diffusion_model.out.2.weight";
    const size_t begin = safetensors_data_offset(bad_path, tensor);
    ASSERT_GT(begin, 0u) << tensor << " not found in the header";
    std::fstream f(bad_path, std::ios::in | std::ios::out | std::ios::binary);
    std::vector<uint16_t> halves(4 * 32 * 3 * 3);
    f.seekg(static_cast<std::streamoff>(begin));
    f.read(reinterpret_cast<char*>(halves.data()), static_cast<std::streamsize>(halves.size() * 2));
    constexpr uint16_t kExponentLsb = 1u << 10;
    size_t pick = halves.size();
    for (size_t i = 0; i < halves.size(); ++i) {
        const uint16_t magnitude = halves[i] & 0x7fffu;  // f16 bits order like magnitudes
        if (!(halves[i] & kExponentLsb) && (pick == halves.size() || magnitude > (halves[pick] & 0x7fffu)))
            pick = i;
    }
    ASSERT_LT(pick, halves.size());
    const uint16_t flipped = static_cast<uint16_t>(halves[pick] ^ kExponentLsb);
    f.seekp(static_cast<std::streamoff>(begin + 2 * pick));
    f.write(reinterpret_cast<const char*>(&flipped), 2);
    f.close();

    sdn_model *ref = nullptr, *bad = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, ref_path.c_str(), nullptr, &ref, nullptr, nullptr), SDN_OK);
    ASSERT_EQ(sdn_checkpoint_load(ctx, bad_path.c_str(), nullptr, &bad, nullptr, nullptr), SDN_OK);
    const std::vector<float> reference = eval(ref);
    const double error = relative_rms(eval(bad), reference);
    const double bound = rounding_bound(sdn::DType::F16, reference);
    std::printf("one doubled weight: relative RMS error %.3g, f16 bound %.3g\n", error, bound);
    EXPECT_GT(error, bound);
    sdn_model_free(ref);
    sdn_model_free(bad);
}

}  // namespace
