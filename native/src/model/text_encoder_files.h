// Text encoders from files of their own (ComfyUI's models/text_encoders, loaded by CLIPLoader
// and DualCLIPLoader): which encoder a file holds, told from its tensor names, and the text
// encoder set a loader type builds from one or two such files.
//
// A file holds one encoder in transformers names (text_model.encoder.layers.N.self_attn.q_proj,
// text_projection.weight beside text_model.) or in OpenCLIP names (transformer.resblocks.N with
// a fused attn.in_proj, ln_final, a text_projection matrix), bare or under a checkpoint's
// prefix. Which encoder it is:
//   - under a checkpoint prefix, the prefix says it (cond_stage_model.transformer.text_model.
//     and conditioner.embedders.0.transformer.text_model.: CLIP-L; cond_stage_model.model.:
//     ViT-H; conditioner.embedders.{0,1}.model.: bigG);
//   - bare names are counted as ComfyUI's detect_te_model counts them: a layer 30 means bigG
//     (32 layers), a layer 22 ViT-H (24 layers), otherwise CLIP-L. An OpenCLIP-named file
//     shorter than ViT-H is refused (OpenCLIP names carry no CLIP-L).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "model/clip_text_model.h"
#include "model/weight_lookup.h"

namespace sdn {

enum class TextEncoderKind { ClipL, OpenClipH, OpenClipBigG };

const char* text_encoder_kind_name(TextEncoderKind kind);

struct FoundTextEncoder {
    TextEncoderKind kind = TextEncoderKind::ClipL;
    std::string prefix;  // the encoder's names start here (transformers: ends in "text_model.")
    bool open_clip_names = false;
    std::string evidence;  // what decided the kind, e.g. "32 layers (layer 30 present)"
};

// Every text encoder in a file, in the order of the candidate prefixes. Throws
// Error(SDN_ERR_FORMAT) for an OpenCLIP-named encoder too short for ViT-H.
std::vector<FoundTextEncoder> find_text_encoders(const WeightLookup& lookup);

// One opened text-encoder file and the encoder it holds.
struct TextEncoderFile {
    std::string path;
    std::shared_ptr<const Checkpoint> checkpoint;
    FoundTextEncoder encoder;
};

// Opens path and finds its one text encoder. Throws Error(SDN_ERR_NOT_FOUND / SDN_ERR_FORMAT)
// naming what the file holds instead (a UNet, a VAE, several encoders).
TextEncoderFile open_text_encoder_file(const std::string& path);

// The encoders a loader type builds, in the order their outputs are joined, each with the
// spec it runs with. type "stable_diffusion" takes one file (CLIP-L: SD1.x; ViT-H: SD2.x;
// bigG: the SDXL refiner's), "sdxl" two (one CLIP-L and one bigG, in either order). Throws
// Error(SDN_ERR_INVALID_ARGUMENT) naming the type or the files that do not fit it.
struct TextEncoderSet {
    std::vector<TextEncoderFile> files;  // in encoder order
    std::vector<ClipTextSpec> specs;     // prefixes as the joined lookup names them
    WeightLookup lookup;                 // finds every encoder's tensors under its spec prefix
    // The file tensor name behind a name of the joined lookup ("" when none).
    std::function<std::pair<size_t, std::string>(const std::string&)> file_name_of;
};
TextEncoderSet text_encoder_set(std::vector<TextEncoderFile> files, const std::string& type);

}  // namespace sdn
