#include "support/shared_dir.h"

#include <cstdlib>
#include <filesystem>

namespace sdn_test {

std::string source_dir() {
    const char* env = std::getenv("SDN_SOURCE_DIR");
    if (env && *env) return env;
#ifdef SDN_SOURCE_DIR
    return SDN_SOURCE_DIR;
#else
    return ".";
#endif
}

std::string shared_dir() {
    namespace fs = std::filesystem;
    const char* env = std::getenv("SDN_SHARED_DIR");
    fs::path p = (env && *env) ? fs::path(env) : fs::path(source_dir()) / ".." / "shared";
    std::error_code ec;
    if (!fs::is_directory(p, ec)) return "";
    return fs::weakly_canonical(p, ec).string();
}

bool running_in_ci() {
    const char* ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

}  // namespace sdn_test
