// SDXL's ADM vector against the layout and formula of ComfyUI's encode_adm, worked out here
// in double precision: pooled first, then 256-wide [cos | sin] embeddings of height, width,
// crop_h, crop_w and the targets (base) or the aesthetic score (refiner).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "model/sdxl_adm.h"

namespace {

// Timestep(256) by hand: f_i = 10000^(-i/128); [cos(v f_0..127), sin(v f_0..127)].
std::vector<double> embedding(double v) {
    std::vector<double> e(256);
    for (int i = 0; i < 128; ++i) {
        const double f = std::pow(10000.0, -i / 128.0);
        e[i] = std::cos(v * f);
        e[128 + i] = std::sin(v * f);
    }
    return e;
}

void expect_embedding_at(const std::vector<float>& y, size_t offset, double v, const char* what) {
    const std::vector<double> want = embedding(v);
    for (size_t i = 0; i < 256; ++i)
        // float32 arguments (as torch computes them) of up to ~1000 radians: 1e-4 absolute.
        ASSERT_NEAR(y[offset + i], want[i], 1e-4) << what << " value " << v << " index " << i;
}

TEST(SdxlAdm, BaseLayoutIsPooledThenHeightWidthCropsAndTargets) {
    sdn::Tensor pooled({1, 4});
    for (int i = 0; i < 4; ++i) pooled.data()[i] = 0.5f + i;
    sdn::AdmInput in;
    in.pooled = &pooled;
    in.width = 832, in.height = 1216, in.crop_w = 16, in.crop_h = 8;
    in.target_width = 1024, in.target_height = 960;
    std::vector<float> y(4 + 6 * 256, -7.0f);
    sdn::sdxl_adm_vector(in, static_cast<int64_t>(y.size()), /*refiner=*/false, y.data());
    for (int i = 0; i < 4; ++i) EXPECT_EQ(y[i], 0.5f + i);
    expect_embedding_at(y, 4 + 0 * 256, 1216, "height");
    expect_embedding_at(y, 4 + 1 * 256, 832, "width");
    expect_embedding_at(y, 4 + 2 * 256, 8, "crop_h");
    expect_embedding_at(y, 4 + 3 * 256, 16, "crop_w");
    expect_embedding_at(y, 4 + 4 * 256, 960, "target_height");
    expect_embedding_at(y, 4 + 5 * 256, 1024, "target_width");
}

TEST(SdxlAdm, RefinerEndsWithTheAestheticScoreAndAMissingPooledIsZeros) {
    sdn::AdmInput in;
    in.width = 1024, in.height = 768, in.aesthetic_score = 2.5;
    std::vector<float> y(1280 + 5 * 256, -7.0f);
    sdn::sdxl_adm_vector(in, static_cast<int64_t>(y.size()), /*refiner=*/true, y.data());
    for (int i = 0; i < 1280; ++i) ASSERT_EQ(y[i], 0.0f);
    expect_embedding_at(y, 1280 + 0 * 256, 768, "height");
    expect_embedding_at(y, 1280 + 1 * 256, 1024, "width");
    expect_embedding_at(y, 1280 + 2 * 256, 0, "crop_h");
    expect_embedding_at(y, 1280 + 4 * 256, 2.5, "aesthetic score");
}

TEST(SdxlAdm, PooledOfTheWrongWidthIsRefusedByName) {
    sdn::Tensor pooled({1, 3});
    sdn::AdmInput in;
    in.pooled = &pooled;
    std::vector<float> y(4 + 6 * 256);
    try {
        sdn::sdxl_adm_vector(in, static_cast<int64_t>(y.size()), false, y.data());
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(e.what()).find("pooled"), std::string::npos) << e.what();
    }
}

}  // namespace
