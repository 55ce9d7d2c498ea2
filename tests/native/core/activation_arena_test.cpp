// The activation arena's slot reuse: a slot keeps its buffer for smaller requests and is
// replaced (not added to) when a request outgrows it; bytes() is the sum of the slots.
#include "core/activation_arena.h"

#include <gtest/gtest.h>

#include "cpu/cpu_backend.h"

namespace {

using namespace sdn;

TEST(ActivationArena, SlotsGrowAndKeepTheirBuffer) {
    Context ctx{1, SDN_CPU_VARIANT_SCALAR, &cpu::make_cpu_backend};
    Backend& be = ctx.backend();
    ActivationArena arena(be, "test arena");
    const TensorView a = arena.take(0, {4, 4});
    const TensorView b = arena.take(0, {2, 2});
    EXPECT_EQ(a.buffer, b.buffer);  // a smaller request reuses the slot
    EXPECT_EQ(arena.bytes(), 64);
    (void)arena.take(1, {8});
    (void)arena.take(0, {8, 8});
    EXPECT_EQ(arena.bytes(), 256 + 32);
}

}  // namespace
