// sdn_make_test_gguf: the tiny test model in stable-diffusion.cpp's or ComfyUI-GGUF's layout.
#include <string>

#include "guard.h"
#include "model/convert_weight_encoding.h"
#include "model/gguf_dialect_writer.h"

using namespace sdn;

extern "C" {

SDN_API sdn_status sdn_make_test_gguf(sdn_context* ctx, const char* path, const char* weight_type,
                                      uint64_t seed, const char* layout) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(path);
        SDN_REQUIRE_ARG(layout);
        const DType type = writable_weight_type_from_name(weight_type ? weight_type : "f16");
        const auto tensors = make_test_model_tensors(TestModelSpec{}, seed);
        const std::string l = layout;
        if (l == "stable-diffusion.cpp") {
            write_sdcpp_gguf(path, tensors, type);
        } else if (l == "comfyui-gguf") {
            write_comfy_gguf_unet(path, tensors, type);
        } else {
            fail(SDN_ERR_INVALID_ARGUMENT,
                 "unknown GGUF layout '" + l + "' (stable-diffusion.cpp or comfyui-gguf)");
        }
    });
}

}  // extern "C"
