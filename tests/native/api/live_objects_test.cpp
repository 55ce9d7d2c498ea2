// sdn_debug_live_objects: every kind of object, handles and the engine's internal ones, counted
// while alive and back to where it was once freed.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <string>

#include "sdnative.h"

namespace {

using Counts = std::array<int64_t, SDN_LIVE_KIND_COUNT>;

Counts live() {
    Counts c{};
    for (int k = 0; k < SDN_LIVE_KIND_COUNT; ++k) c[static_cast<size_t>(k)] = sdn_debug_live_objects(k);
    return c;
}

int64_t grew(const Counts& before, sdn_live_kind kind) {
    return sdn_debug_live_objects(kind) - before[static_cast<size_t>(kind)];
}

TEST(LiveObjects, EveryKindCountsWhileAliveAndReturnsWhenFreed) {
    const Counts before = live();
    const int64_t handles_before = sdn_live_object_count();

    sdn_context_options_t o;
    sdn_context_options_init(&o);
    o.n_threads = 2;
    sdn_context* ctx = nullptr;
    ASSERT_EQ(sdn_context_create(&o, &ctx), SDN_OK);
    EXPECT_EQ(grew(before, SDN_LIVE_CONTEXTS), 1);
    EXPECT_EQ(grew(before, SDN_LIVE_THREAD_POOLS), 1);

    const Counts with_context = live();
    const int64_t dims[2] = {3, 1000};
    sdn_tensor* t = nullptr;
    ASSERT_EQ(sdn_tensor_create(2, dims, nullptr, &t), SDN_OK);
    EXPECT_EQ(grew(with_context, SDN_LIVE_TENSORS), 1);
    EXPECT_EQ(grew(with_context, SDN_LIVE_ENGINE_BUFFERS), 1);
    // 3000 floats, rounded up to whole 64-byte lines.
    EXPECT_EQ(grew(with_context, SDN_LIVE_ENGINE_BUFFER_BYTES), 12032);

    const std::string p = (std::filesystem::path(::testing::TempDir()) / "sdn_live_objects.safetensors").string();
    ASSERT_EQ(sdn_make_test_model(ctx, p.c_str(), "f16", 1), SDN_OK) << sdn_context_last_error(ctx);
    sdn_model* model = nullptr;
    sdn_vae* vae = nullptr;  // (a CLIP handle would need the tokenizer vocabulary)
    ASSERT_EQ(sdn_checkpoint_load(ctx, p.c_str(), nullptr, &model, nullptr, &vae), SDN_OK)
        << sdn_context_last_error(ctx);
    EXPECT_EQ(grew(before, SDN_LIVE_MODELS), 1);
    EXPECT_EQ(grew(before, SDN_LIVE_VAES), 1);
    EXPECT_GE(grew(before, SDN_LIVE_MAPPED_FILES), 1);
    EXPECT_EQ(sdn_live_object_count(), handles_before + 4);

    sdn_model_free(model);
    sdn_vae_free(vae);
    sdn_tensor_free(t);
    sdn_context_free(ctx);
    std::filesystem::remove(p);
    EXPECT_EQ(live(), before);
    EXPECT_EQ(sdn_live_object_count(), handles_before);
}

TEST(LiveObjects, KindOutOfRangeIsMinusOne) {
    EXPECT_EQ(sdn_debug_live_objects(-1), -1);
    EXPECT_EQ(sdn_debug_live_objects(SDN_LIVE_KIND_COUNT), -1);
}

}  // namespace
