// The backend a context computes with: attached by its creator, and a clear error when none
// was (model code would otherwise dereference nothing).
#include <gtest/gtest.h>

#include "core/backend.h"
#include "core/context.h"
#include "core/error.h"
#include "cpu/cpu_backend.h"

namespace {

using namespace sdn;

TEST(ContextBackend, AContextWithoutABackendSaysSo) {
    Context ctx{1, SDN_CPU_VARIANT_SCALAR};
    EXPECT_FALSE(ctx.has_backend());
    try {
        ctx.backend();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_INTERNAL);
    }
}

TEST(ContextBackend, AFactoryAttachesItsBackendAtCreation) {
    Context ctx{1, SDN_CPU_VARIANT_SCALAR, &cpu::make_cpu_backend};
    ASSERT_TRUE(ctx.has_backend());
    EXPECT_EQ(ctx.backend().name(), "cpu");
}

// A backend from another revision of the interface: everything forwarded, the version not.
class OtherRevisionBackend : public cpu::CpuBackend {
public:
    using cpu::CpuBackend::CpuBackend;
    int interface_version() const override { return Backend::kInterfaceVersion + 1; }
};

TEST(ContextBackend, ABackendOfAnotherInterfaceVersionIsRefused) {
    Context ctx{1, SDN_CPU_VARIANT_SCALAR};
    try {
        ctx.set_backend(std::make_unique<OtherRevisionBackend>(ctx));
        FAIL() << "a backend of another interface version was attached";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_UNSUPPORTED);
        EXPECT_NE(std::string(e.what()).find("interface version"), std::string::npos);
    }
    EXPECT_FALSE(ctx.has_backend());
}

}  // namespace
