// The VAE through the C API: loading standalone VAE files and checkpoints (safetensors written
// by the test), encode/decode with and without tiling, statuses and messages, cancellation.
#include <gtest/gtest.h>

#include "support/api_context.h"
#include "support/float32_variant.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "api/handles.h"
#include "api/vae_handle.h"
#include "model/test_model_writer.h"
#include "model/vae_diffusers_names.h"
#include "sdnative.h"
#include "vae_test_support.h"

namespace {

using namespace vae_test;

struct ContextDeleter {
    void operator()(sdn_context* c) const { sdn_context_free(c); }
};
using ContextPtr = std::unique_ptr<sdn_context, ContextDeleter>;
struct VaeDeleter {
    void operator()(sdn_vae* v) const { sdn_vae_free(v); }
};
using VaePtr = std::unique_ptr<sdn_vae, VaeDeleter>;
struct TensorDeleter {
    void operator()(sdn_tensor* t) const { sdn_tensor_free(t); }
};
using TensorPtr = std::unique_ptr<sdn_tensor, TensorDeleter>;

ContextPtr make_api_context() {
    return ContextPtr(sdn_test::create_api_context(2, sdn_test::Products::Float32));
}

TinyConfig small_config() {
    TinyConfig c;
    c.mult = {1, 1, 1, 1};
    c.decoder_blocks = 1;
    return c;
}

// Writes weights (all f32 or f16 as stored) as a safetensors file; names get `prefix`.
void write_safetensors(const std::string& path, const TinyWeights& w, const std::string& prefix,
                       const std::vector<std::string>& skip = {}) {
    std::ostringstream header;
    std::string data;
    header << "{";
    bool first = true;
    for (const std::string& name : w.names()) {
        if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
        const sdn::WeightRef& r = w.ref(name);
        header << (first ? "" : ",") << "\"" << prefix << name << "\":{\"dtype\":\""
               << (r.type == sdn::DType::F16 ? "F16" : "F32") << "\",\"shape\":[";
        for (size_t i = 0; i < r.shape.size(); ++i) header << (i ? "," : "") << r.shape[i];
        header << "],\"data_offsets\":[" << data.size() << "," << data.size() + size_t(r.nbytes) << "]}";
        data.append(static_cast<const char*>(r.data), size_t(r.nbytes));
        first = false;
    }
    header << ",\"__metadata__\":{\"format\":\"pt\"}}";
    std::string h = header.str();
    while (h.size() % 8) h += ' ';
    std::ofstream f(path, std::ios::binary);
    const uint64_t n = h.size();
    for (int i = 0; i < 8; ++i) f.put(char((n >> (8 * i)) & 0xff));
    f << h << data;
}

std::string temp_path(const std::string& name) {
    return ::testing::TempDir() + "sdn_vae_" + std::to_string(::getpid()) + "_" + name;
}

TensorPtr make_tensor(std::vector<int64_t> dims, const std::vector<float>& values = {}) {
    sdn_tensor* t = nullptr;
    EXPECT_EQ(sdn_tensor_create(int32_t(dims.size()), dims.data(),
                                values.empty() ? nullptr : values.data(), &t),
              SDN_OK);
    return TensorPtr(t);
}

std::vector<float> smooth_values(size_t n, float scale) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(0.37f * float(i));
    return v;
}

class VaeApi : public ::testing::Test {
protected:
    void SetUp() override {
        add_tiny_vae(weights_, "", small_config());
        vae_ = VaePtr(sdn::make_vae_handle(weights_.lookup(), "", nullptr));
    }
    TinyWeights weights_{17};
    ContextPtr ctx_ = make_api_context();
    VaePtr vae_;
};

TEST_F(VaeApi, TilingInitFillsTheNodeDefaults) {
    sdn_tiling_t t;
    std::memset(&t, 0x5a, sizeof(t));
    sdn_tiling_init(&t);
    EXPECT_EQ(t.struct_size, sizeof(sdn_tiling_t));
    EXPECT_EQ(t.enabled, 0);
    EXPECT_EQ(t.tile_size, 512);
    EXPECT_EQ(t.overlap, 64);
    EXPECT_EQ(t.reserved, 0);
    sdn_tiling_init(nullptr);  // no crash
}

TEST_F(VaeApi, StandaloneFileDecodesLikeTheWeightsItWasWrittenFrom) {
    const std::string path = temp_path("standalone.safetensors");
    write_safetensors(path, weights_, "");
    sdn_vae* loaded = nullptr;
    ASSERT_EQ(sdn_vae_load(ctx_.get(), path.c_str(), &loaded), SDN_OK)
        << sdn_context_last_error(ctx_.get());
    VaePtr file_vae(loaded);

    TensorPtr latent = make_tensor({1, 4, 3, 2}, smooth_values(24, 1.5f));
    sdn_tensor* from_file = nullptr;
    sdn_tensor* from_memory = nullptr;
    ASSERT_EQ(sdn_vae_decode(ctx_.get(), file_vae.get(), latent.get(), nullptr, &from_file), SDN_OK);
    ASSERT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), latent.get(), nullptr, &from_memory), SDN_OK);
    TensorPtr a(from_file), b(from_memory);
    int64_t dims[4];
    sdn_tensor_dims(a.get(), dims);
    EXPECT_EQ(dims[0], 1);
    EXPECT_EQ(dims[1], 24);
    EXPECT_EQ(dims[2], 16);
    EXPECT_EQ(dims[3], 3);
    ASSERT_EQ(sdn_tensor_element_count(a.get()), sdn_tensor_element_count(b.get()));
    for (int64_t i = 0; i < sdn_tensor_element_count(a.get()); ++i)
        ASSERT_EQ(sdn_tensor_data(a.get())[i], sdn_tensor_data(b.get())[i]) << i;
    std::remove(path.c_str());
}

TEST_F(VaeApi, CheckpointFileUsesTheFirstStageModelPrefix) {
    TinyWeights ckpt(17, sdn::DType::F16);
    add_tiny_vae(ckpt, "first_stage_model.", small_config());
    ckpt.add_random("model.diffusion_model.input_blocks.0.0.weight", {32, 4, 3, 3}, 0.1);
    const std::string path = temp_path("checkpoint.safetensors");
    write_safetensors(path, ckpt, "");
    sdn_vae* loaded = nullptr;
    ASSERT_EQ(sdn_vae_load(ctx_.get(), path.c_str(), &loaded), SDN_OK)
        << sdn_context_last_error(ctx_.get());
    VaePtr v(loaded);

    // Encode through the API and compare with the reference on the stored f16 values.
    std::vector<float> pixels(16 * 16 * 3);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = 0.5f + 0.4f * std::sin(0.1f * float(i));
    TensorPtr image = make_tensor({1, 16, 16, 3}, pixels);
    sdn_tensor* out = nullptr;
    ASSERT_EQ(sdn_vae_encode(ctx_.get(), v.get(), image.get(), nullptr, &out), SDN_OK);
    TensorPtr latent(out);
    Map x(3, 16, 16);
    for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < 16; ++y)
            for (int64_t xx = 0; xx < 16; ++xx) x.at(c, y, xx) = pixels[size_t((y * 16 + xx) * 3 + c)] * 2.0 - 1.0;
    const Map want = Reference(ckpt).encode_mean(x, "first_stage_model.", small_config());
    Map got(4, 2, 2);
    for (size_t i = 0; i < got.v.size(); ++i) got.v[i] = sdn_tensor_data(latent.get())[i];
    EXPECT_LT(normalized_error(got, want), 2e-3);
    std::remove(path.c_str());
}

TEST_F(VaeApi, DiffusersLayoutFileLoads) {
    // Names translated by the (separately tested) table; this checks the loader finds them.
    TinyWeights diffusers(17);
    for (const std::string& name : weights_.names()) {
        std::vector<float> v;
        for (double x : weights_.values(name)) v.push_back(float(x));
        diffusers.add_values(sdn::vae::diffusers_vae_name(name, 4, false), weights_.shape(name), v);
    }
    const std::string path = temp_path("diffusers.safetensors");
    write_safetensors(path, diffusers, "");
    sdn_vae* loaded = nullptr;
    ASSERT_EQ(sdn_vae_load(ctx_.get(), path.c_str(), &loaded), SDN_OK)
        << sdn_context_last_error(ctx_.get());
    VaePtr v(loaded);
    TensorPtr latent = make_tensor({1, 4, 2, 2}, smooth_values(16, 1.0f));
    sdn_tensor* a = nullptr;
    sdn_tensor* b = nullptr;
    ASSERT_EQ(sdn_vae_decode(ctx_.get(), v.get(), latent.get(), nullptr, &a), SDN_OK);
    ASSERT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), latent.get(), nullptr, &b), SDN_OK);
    TensorPtr ta(a), tb(b);
    for (int64_t i = 0; i < sdn_tensor_element_count(ta.get()); ++i)
        ASSERT_EQ(sdn_tensor_data(ta.get())[i], sdn_tensor_data(tb.get())[i]) << i;
    std::remove(path.c_str());
}

// Decodes a fixed latent with the VAE of a checkpoint file; empty on failure.
std::vector<float> decode_file(sdn_context* ctx, const std::string& path) {
    sdn_vae* loaded = nullptr;
    const sdn_status s = sdn_vae_load(ctx, path.c_str(), &loaded);
    EXPECT_EQ(s, SDN_OK) << sdn_context_last_error(ctx);
    if (s != SDN_OK) return {};
    VaePtr v(loaded);
    TensorPtr latent = make_tensor({1, 4, 3, 2}, smooth_values(24, 1.0f));
    sdn_tensor* out = nullptr;
    EXPECT_EQ(sdn_vae_decode(ctx, v.get(), latent.get(), nullptr, &out), SDN_OK);
    TensorPtr image(out);
    const float* d = sdn_tensor_data(image.get());
    return std::vector<float>(d, d + sdn_tensor_element_count(image.get()));
}

TEST_F(VaeApi, CheckpointsFromTheTestModelWriterLoadInEveryWeightType) {
    // The project's own tiny-checkpoint writer (UNet, CLIP and VAE, SD layout): the f32 file
    // is the baseline; f16 safetensors and q8_0 GGUF must decode to nearly the same image.
    sdn::TestModelSpec spec;
    const auto tensors = sdn::make_test_model_tensors(spec, 5);
    const std::string f32_path = temp_path("writer_f32.safetensors");
    const std::string f16_path = temp_path("writer_f16.safetensors");
    const std::string q8_path = temp_path("writer_q8.gguf");
    sdn::write_safetensors(f32_path, tensors, sdn::DType::F32);
    sdn::write_safetensors(f16_path, tensors, sdn::DType::F16);
    sdn::write_gguf(q8_path, tensors, sdn::DType::Q8_0, {});

    const std::vector<float> base = decode_file(ctx_.get(), f32_path);
    ASSERT_EQ(base.size(), size_t(24 * 16 * 3));
    for (const auto& [path, tolerance] : {std::pair<std::string, float>{f16_path, 0.01f}, {q8_path, 0.05f}}) {
        const std::vector<float> other = decode_file(ctx_.get(), path);
        ASSERT_EQ(other.size(), base.size()) << path;
        float worst = 0;
        for (size_t i = 0; i < base.size(); ++i) worst = std::max(worst, std::abs(other[i] - base[i]));
        EXPECT_LT(worst, tolerance) << path;
    }
    for (const std::string& p : {f32_path, f16_path, q8_path}) std::remove(p.c_str());
}

TEST_F(VaeApi, CheckpointLoaderVaeDecodesLikeVaeLoad) {
    const auto tensors = sdn::make_test_model_tensors(sdn::TestModelSpec{}, 6);
    const std::string path = temp_path("ckpt_loader.safetensors");
    sdn::write_safetensors(path, tensors, sdn::DType::F16);
    sdn_vae* from_checkpoint = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx_.get(), path.c_str(), nullptr, nullptr, nullptr, &from_checkpoint),
              SDN_OK)
        << sdn_context_last_error(ctx_.get());
    VaePtr v(from_checkpoint);
    TensorPtr latent = make_tensor({1, 4, 3, 2}, smooth_values(24, 1.0f));
    sdn_tensor* out = nullptr;
    ASSERT_EQ(sdn_vae_decode(ctx_.get(), v.get(), latent.get(), nullptr, &out), SDN_OK);
    TensorPtr image(out);
    const std::vector<float> want = decode_file(ctx_.get(), path);
    ASSERT_EQ(size_t(sdn_tensor_element_count(image.get())), want.size());
    for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(sdn_tensor_data(image.get())[i], want[i]) << i;
    std::remove(path.c_str());
}

TEST_F(VaeApi, FileWithoutAVaeIsAFormatError) {
    TinyWeights other;
    other.add_random("model.diffusion_model.out.2.weight", {4, 32, 3, 3}, 0.1);
    const std::string path = temp_path("novae.safetensors");
    write_safetensors(path, other, "");
    sdn_vae* loaded = reinterpret_cast<sdn_vae*>(0x1);
    EXPECT_EQ(sdn_vae_load(ctx_.get(), path.c_str(), &loaded), SDN_ERR_FORMAT);
    EXPECT_EQ(loaded, nullptr);
    EXPECT_NE(std::string(sdn_context_last_error(ctx_.get())).find("no VAE"), std::string::npos)
        << sdn_context_last_error(ctx_.get());
    std::remove(path.c_str());
}

TEST_F(VaeApi, MissingTensorIsAFormatErrorNamingIt) {
    const std::string path = temp_path("broken.safetensors");
    write_safetensors(path, weights_, "", {"decoder.up.2.upsample.conv.bias"});
    sdn_vae* loaded = nullptr;
    EXPECT_EQ(sdn_vae_load(ctx_.get(), path.c_str(), &loaded), SDN_ERR_FORMAT);
    EXPECT_EQ(loaded, nullptr);
    const std::string message = sdn_context_last_error(ctx_.get());
    EXPECT_NE(message.find("decoder.up.2.upsample.conv.bias"), std::string::npos) << message;
    EXPECT_NE(message.find(path), std::string::npos) << message;
    std::remove(path.c_str());
}

TEST_F(VaeApi, MissingFileFailsWithAMessage) {
    sdn_vae* loaded = nullptr;
    const sdn_status s = sdn_vae_load(ctx_.get(), temp_path("does_not_exist.safetensors").c_str(), &loaded);
    EXPECT_NE(s, SDN_OK);
    EXPECT_EQ(loaded, nullptr);
    EXPECT_STRNE(sdn_context_last_error(ctx_.get()), "");
}

TEST_F(VaeApi, NullArgumentsAreInvalid) {
    sdn_tensor* out = nullptr;
    TensorPtr latent = make_tensor({1, 4, 2, 2});
    EXPECT_EQ(sdn_vae_decode(ctx_.get(), nullptr, latent.get(), nullptr, &out), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), nullptr, nullptr, &out), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), latent.get(), nullptr, nullptr), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(sdn_vae_encode(nullptr, vae_.get(), latent.get(), nullptr, &out), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(sdn_vae_load(ctx_.get(), nullptr, nullptr), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(out, nullptr);
    sdn_vae_free(nullptr);
}

TEST_F(VaeApi, BadShapesReturnAStatusAndAMessage) {
    sdn_tensor* out = nullptr;
    TensorPtr wrong_channels = make_tensor({1, 3, 2, 2});
    EXPECT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), wrong_channels.get(), nullptr, &out),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sdn_context_last_error(ctx_.get())).find("latent"), std::string::npos);
    TensorPtr tiny_image = make_tensor({1, 4, 4, 3});
    EXPECT_EQ(sdn_vae_encode(ctx_.get(), vae_.get(), tiny_image.get(), nullptr, &out),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_STRNE(sdn_context_last_error(ctx_.get()), "");
    EXPECT_EQ(out, nullptr);

    sdn_tiling_t tiling;
    sdn_tiling_init(&tiling);
    tiling.struct_size = 4;
    TensorPtr latent = make_tensor({1, 4, 2, 2});
    EXPECT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), latent.get(), &tiling, &out), SDN_ERR_INVALID_ARGUMENT);
    sdn_tiling_init(&tiling);
    tiling.enabled = 1;
    tiling.tile_size = 8;  // below 16 pixels: no room for a half tile
    EXPECT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), latent.get(), &tiling, &out), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(out, nullptr);
}

TEST_F(VaeApi, TilingStructSelectsTheTiledPath) {
    TensorPtr latent = make_tensor({1, 4, 5, 3}, smooth_values(60, 1.0f));
    sdn_tiling_t tiling;
    sdn_tiling_init(&tiling);
    tiling.enabled = 1;
    tiling.tile_size = 32;
    tiling.overlap = 8;
    sdn_tensor* out = nullptr;
    ASSERT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), latent.get(), &tiling, &out), SDN_OK);
    TensorPtr tiled(out);

    sdn::Context ctx = make_context();
    const sdn::VaeTiling engine_tiling{32, 8};
    sdn::Tensor z({1, 4, 5, 3});
    std::copy(sdn_tensor_data(latent.get()), sdn_tensor_data(latent.get()) + 60, z.data());
    const sdn::Tensor want = vae_->vae->decode(ctx, z, &engine_tiling);
    ASSERT_EQ(sdn_tensor_element_count(tiled.get()), want.size());
    for (int64_t i = 0; i < want.size(); ++i) ASSERT_EQ(sdn_tensor_data(tiled.get())[i], want.data()[i]);

    tiling.enabled = 0;  // disabled: same as no tiling
    ASSERT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), latent.get(), &tiling, &out), SDN_OK);
    TensorPtr whole(out);
    const sdn::Tensor want_whole = vae_->vae->decode(ctx, z);
    for (int64_t i = 0; i < want_whole.size(); ++i) ASSERT_EQ(sdn_tensor_data(whole.get())[i], want_whole.data()[i]);
}

struct CancelProbe {
    sdn_context* ctx = nullptr;
    int cancel_at = 0;
    int last_step = -1;
    int calls = 0;
};

void cancel_at_step(const sdn_progress_t* p, void* user) {
    auto* probe = static_cast<CancelProbe*>(user);
    if (p->stage != SDN_STAGE_VAE_DECODE && p->stage != SDN_STAGE_VAE_ENCODE) return;
    probe->last_step = p->step;
    ++probe->calls;
    if (p->step == probe->cancel_at) sdn_context_cancel(probe->ctx);
}

TEST_F(VaeApi, CancelFromTheProgressCallbackReturnsCancelled) {
    TensorPtr latent = make_tensor({1, 4, 2, 2});
    for (int k : {0, 3, 7}) {
        CancelProbe probe;
        probe.ctx = ctx_.get();
        probe.cancel_at = k;
        sdn_context_set_progress_callback(ctx_.get(), cancel_at_step, &probe);
        sdn_tensor* out = nullptr;
        EXPECT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), latent.get(), nullptr, &out), SDN_ERR_CANCELLED);
        EXPECT_EQ(out, nullptr);
        EXPECT_LT(probe.last_step, k + 2);
        sdn_context_reset_cancel(ctx_.get());

        TensorPtr image = make_tensor({1, 16, 16, 3});
        probe.last_step = -1;
        EXPECT_EQ(sdn_vae_encode(ctx_.get(), vae_.get(), image.get(), nullptr, &out), SDN_ERR_CANCELLED);
        EXPECT_LT(probe.last_step, k + 2);
        sdn_context_reset_cancel(ctx_.get());
    }
    sdn_context_set_progress_callback(ctx_.get(), nullptr, nullptr);
    sdn_tensor* out = nullptr;
    ASSERT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), latent.get(), nullptr, &out), SDN_OK);
    sdn_tensor_free(out);
}

TEST_F(VaeApi, HandlesAreCountedAsLiveObjects) {
    const int64_t before = sdn_live_object_count();
    sdn_vae* extra = sdn::make_vae_handle(weights_.lookup(), "", nullptr);
    EXPECT_EQ(sdn_live_object_count(), before + 1);
    sdn_vae_free(extra);
    EXPECT_EQ(sdn_live_object_count(), before);
}

}  // namespace

TEST_F(VaeApi, TheContextsMemoryBudgetTilesTheDecodeOrRefusesItByName) {
    sdn_context_options_t o;
    sdn_context_options_init(&o);
    EXPECT_EQ(o.memory_budget_bytes, 0);
    o.n_threads = 2;
    o.cpu_variant = sdn_test::float32_cpu_variant();
    o.memory_budget_bytes = -1;
    sdn_context* c = nullptr;
    EXPECT_EQ(sdn_context_create(&o, &c), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(c, nullptr);

    // Half of what the untiled decode needs: the decode tiles by itself, as the explicit
    // tiling of the size the budget allows does.
    TensorPtr latent = make_tensor({1, 4, 12, 10}, smooth_values(480, 1.0f));
    o.memory_budget_bytes = vae_->vae->decode_bytes(12, 10) / 2;
    ASSERT_EQ(sdn_context_create(&o, &c), SDN_OK);
    ContextPtr capped(c);
    const std::optional<sdn::VaeTiling> fitted = vae_->vae->budget_tiling(capped->impl, 12, 10);
    ASSERT_TRUE(fitted.has_value());
    sdn_tensor* automatic = nullptr;
    ASSERT_EQ(sdn_vae_decode(capped.get(), vae_.get(), latent.get(), nullptr, &automatic), SDN_OK)
        << sdn_context_last_error(capped.get());
    TensorPtr automatic_owner(automatic);
    sdn_tiling_t tiling;
    sdn_tiling_init(&tiling);
    tiling.enabled = 1;
    tiling.tile_size = static_cast<int32_t>(fitted->tile_size);
    tiling.overlap = static_cast<int32_t>(fitted->overlap);
    sdn_tensor* asked = nullptr;
    ASSERT_EQ(sdn_vae_decode(ctx_.get(), vae_.get(), latent.get(), &tiling, &asked), SDN_OK);
    TensorPtr asked_owner(asked);
    const int64_t n = sdn_tensor_element_count(asked);
    ASSERT_EQ(sdn_tensor_element_count(automatic), n);
    EXPECT_EQ(std::memcmp(sdn_tensor_data(automatic), sdn_tensor_data(asked), sizeof(float) * size_t(n)), 0);

    // Too small for any tile: out of memory with the sizes, nothing returned.
    o.memory_budget_bytes = 1;
    ASSERT_EQ(sdn_context_create(&o, &c), SDN_OK);
    ContextPtr starved(c);
    sdn_tensor* none = nullptr;
    EXPECT_EQ(sdn_vae_decode(starved.get(), vae_.get(), latent.get(), nullptr, &none), SDN_ERR_OUT_OF_MEMORY);
    EXPECT_EQ(none, nullptr);
    const std::string message = sdn_context_last_error(starved.get());
    EXPECT_NE(message.find("memory budget of 1 bytes"), std::string::npos) << message;
    EXPECT_NE(message.find("smallest tile"), std::string::npos) << message;
}
