// Contexts made through the C API, for the fixtures that drive the public functions: the
// thread count, and whether the matrix products are float32 (to compare with double-precision
// references at float32 tolerances) or those of the machine's default CPU variant.
#pragma once

#include <gtest/gtest.h>

#include "sdnative.h"
#include "support/float32_variant.h"

namespace sdn_test {

enum class Products { Default, Float32 };

// The context, or nullptr with the test failed (the caller asserts on it).
inline sdn_context* create_api_context(int threads = 2, Products products = Products::Default) {
    sdn_context_options_t o;
    sdn_context_options_init(&o);
    o.n_threads = threads;
    if (products == Products::Float32) o.cpu_variant = float32_cpu_variant();
    sdn_context* ctx = nullptr;
    EXPECT_EQ(sdn_context_create(&o, &ctx), SDN_OK);
    return ctx;
}

}  // namespace sdn_test
