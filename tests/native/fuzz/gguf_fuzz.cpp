// libFuzzer target: the GGUF reader on arbitrary bytes.
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return sdn_fuzz::run_one(data, size, [](std::shared_ptr<sdn::MappedFile> map) { return sdn::open_gguf(map); });
}
