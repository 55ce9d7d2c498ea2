// Finding ../shared from native tests: $SDN_SHARED_DIR, else <repo>/../shared. With CI=true a
// missing folder fails the test; elsewhere the test is skipped with the reason.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace sdn_test {

// The shared folder, or "" when it does not exist.
std::string shared_dir();
// The repository root (SDN_SOURCE_DIR).
std::string source_dir();
bool running_in_ci();

}  // namespace sdn_test

// Use at the top of a test that needs the shared folder: skips or fails when it is missing.
#define SDN_REQUIRE_SHARED_DIR(var)                                                    \
    const std::string var = ::sdn_test::shared_dir();                                  \
    if (var.empty()) {                                                                 \
        if (::sdn_test::running_in_ci()) FAIL() << "shared folder missing (CI=true)";  \
        GTEST_SKIP() << "shared folder not found (set SDN_SHARED_DIR)";                \
    }
