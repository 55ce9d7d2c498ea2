// The TAESD decoder against the double-precision reference of taesd_reference.h (clamp, conv,
// ReLU, 3x [3 blocks, nearest x2, bias-free conv], block, conv) on tiny random weights; and
// the files the test writer makes.
#include "model/taesd_decoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "core/error.h"
#include "io/model_file.h"
#include "model/taesd_test_writer.h"
#include "taesd_reference.h"

namespace {

using namespace vae_test;
using taesd_test::TaesdReference;

constexpr double kTolerance = 1e-4;  // f32 through 31 layers against double, normalised

const int kBlocks[] = {3, 4, 5, 8, 9, 10, 13, 14, 15, 18};

void add_taesd(TinyWeights& w, int64_t width, int64_t latent = 4) {
    auto conv = [&](const std::string& name, int64_t o, int64_t i, bool bias) {
        w.add_random(name + ".weight", {o, i, 3, 3}, std::sqrt(2.0 / double(i * 9)));
        if (bias) w.add_random(name + ".bias", {o}, 0.1);
    };
    conv("1", width, latent, true);
    for (int b : kBlocks)
        for (int k : {0, 2, 4}) conv(std::to_string(b) + ".conv." + std::to_string(k), width, width, true);
    for (int u : {7, 12, 17}) conv(std::to_string(u), width, width, false);
    conv("19", 3, width, true);
}

std::unique_ptr<sdn::TaesdDecoder> load(const TinyWeights& w) {
    return sdn::TaesdDecoder::load(w.lookup(), "", nullptr);
}

TEST(TaesdDecoder, NetworkMatchesDoubleReference) {
    TinyWeights w(77);
    add_taesd(w, 16);
    const auto d = load(w);
    EXPECT_EQ(d->width(), 16);
    EXPECT_EQ(d->latent_channels(), 4);
    sdn::Context ctx = make_context();
    // Values up to about +-8 so the tanh clamp bends them.
    const Map z = random_map(4, 3, 5, 9, 3.0);
    const Map got = to_map(d->forward(ctx, to_tensor(z)));
    const Map want = TaesdReference(w).decoder(z);
    ASSERT_EQ(got.H, 24);
    ASSERT_EQ(got.W, 40);
    EXPECT_LT(normalized_error(got, want), kTolerance);
}

TEST(TaesdDecoder, StoredSkipConvolutionIsApplied) {
    TinyWeights w(5);
    add_taesd(w, 8);
    w.add_random("18.skip.weight", {8, 8, 1, 1}, 0.5);
    const auto d = load(w);
    sdn::Context ctx = make_context();
    const Map z = random_map(4, 2, 2, 3);
    const Map got = to_map(d->forward(ctx, to_tensor(z)));
    EXPECT_LT(normalized_error(got, TaesdReference(w).decoder(z)), kTolerance);
}

TEST(TaesdDecoder, DecodeScalesTheLatentClampsAndGivesNhwc) {
    TinyWeights w(11);
    add_taesd(w, 8);
    const auto d = load(w);
    sdn::Context ctx = make_context();
    const Map raw = random_map(4, 2, 3, 4, 5.0);
    sdn::Tensor batch({2, 4, 2, 3});
    for (int64_t i = 0; i < 24; ++i) batch.data()[i] = batch.data()[24 + i] = float(raw.v[size_t(i)]);
    const float scale = 0.18215f;
    const sdn::Tensor image = d->decode(ctx, batch, scale);
    ASSERT_EQ(image.shape(), (std::vector<int64_t>{2, 16, 24, 3}));

    Map scaled = raw;
    for (double& v : scaled.v) v = double(float(v) * scale);
    const Map want = TaesdReference(w).decoder(scaled);
    double worst = 0, outside = 0;
    for (int64_t b = 0; b < 2; ++b)
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t y = 0; y < 16; ++y)
                for (int64_t x = 0; x < 24; ++x) {
                    const double ref = want.at(c, y, x);
                    if (ref < 0 || ref > 1) ++outside;
                    const double got = image.data()[((b * 16 + y) * 24 + x) * 3 + c];
                    worst = std::max(worst, std::abs(got - std::clamp(ref, 0.0, 1.0)));
                }
    EXPECT_LT(worst, 1e-4);
    EXPECT_GT(outside, 0) << "the random weights should push some values out of 0..1";
}

TEST(TaesdDecoder, MissingLayersAreNamed) {
    TinyWeights w;
    add_taesd(w, 8);
    w.remove("12.weight");
    w.remove("9.conv.2.bias");
    try {
        load(w);
        FAIL() << "expected a format error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        const std::string m = e.what();
        EXPECT_NE(m.find("12.weight"), std::string::npos) << m;
        EXPECT_NE(m.find("9.conv.2.bias"), std::string::npos) << m;
    }
}

TEST(TaesdDecoder, WrongLatentWidthIsRefused) {
    TinyWeights w;
    add_taesd(w, 8);
    const auto d = load(w);
    sdn::Context ctx = make_context();
    try {
        d->decode(ctx, sdn::Tensor({1, 16, 2, 2}), 1.0f);
        FAIL() << "expected an invalid argument";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(e.what()).find("[1, 16, 2, 2]"), std::string::npos) << e.what();
    }
}

TEST(TaesdDecoder, TestWriterMakesTheReleasedLayout) {
    const auto tensors = sdn::make_test_taesd_tensors(64, 4, 1);
    // 1 + 10 blocks x 3 + 3 upsample convs + 1 convs; biases on all but the upsample convs.
    EXPECT_EQ(tensors.size(), size_t(2 + 10 * 3 * 2 + 3 + 2));
    int64_t params = 0;
    for (const auto& t : tensors) params += int64_t(t.values.size());
    // The released decoder: about 1.22 M parameters.
    EXPECT_EQ(params, 4 * 64 * 9 + 64 + 30 * (64 * 64 * 9 + 64) + 3 * 64 * 64 * 9 + 64 * 3 * 9 + 3);
    EXPECT_NEAR(double(params), 1.22e6, 0.01e6);

    const std::string path = "/tmp/sdn_taesd_writer_" + std::to_string(getpid()) + ".safetensors";
    sdn::write_safetensors(path, sdn::make_test_taesd_tensors(8, 4, 2, "taesd_decoder."), sdn::DType::F32);
    std::shared_ptr<sdn::ModelFile> file = sdn::ModelFile::open(path);
    sdn::ModelFile* raw = file.get();
    sdn::WeightLookup lookup = [raw](const std::string& n) -> const sdn::WeightRef* {
        const sdn::TensorEntry* e = raw->find(n);
        return e ? &e->ref : nullptr;
    };
    EXPECT_FALSE(sdn::TaesdDecoder::present(lookup, ""));
    ASSERT_TRUE(sdn::TaesdDecoder::present(lookup, "taesd_decoder."));
    const auto d = sdn::TaesdDecoder::load(lookup, "taesd_decoder.", file);
    EXPECT_EQ(d->width(), 8);
    std::remove(path.c_str());
}

}  // namespace
