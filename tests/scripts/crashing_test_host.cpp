// A GoogleTest host that dies mid-run, for the self-check of scripts/test.sh's summary
// (summarize_junit_test.py): with SDN_TEST_SELF_CHECK_CRASH=1 its second test raises SIGSEGV,
// so the host ends by a signal before writing its JUnit file, as a native crash in a real
// suite would. It is built but not registered with ctest; only the self-check runs it.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <string>

TEST(CrashingHost, PassesBeforeTheCrash) { EXPECT_EQ(2 + 2, 4); }

TEST(CrashingHost, RaisesSegfaultWhenTheSelfCheckAsks) {
    const char* flag = std::getenv("SDN_TEST_SELF_CHECK_CRASH");
    if (!flag || std::string(flag) != "1")
        FAIL() << "only the summary self-check runs this host, with SDN_TEST_SELF_CHECK_CRASH=1";
    std::raise(SIGSEGV);
}
