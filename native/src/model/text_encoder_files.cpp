// Finding the text encoder in a text-encoder file and joining one or two of them into the
// encoder set a CLIP loader builds.
#include "model/text_encoder_files.h"

#include "core/error.h"
#include "model/arch_detect.h"

namespace sdn {

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

const std::string kTextModel = "text_model.";

struct Candidate {
    const char* prefix;
    bool open_clip_names;
    bool counted;  // bare names: the layer count decides the kind
    TextEncoderKind kind;  // when not counted
};

// Where an encoder's names may start, and what the prefix says about it.
const Candidate kCandidates[] = {
    {"cond_stage_model.transformer.text_model.", false, false, TextEncoderKind::ClipL},
    {"conditioner.embedders.0.transformer.text_model.", false, false, TextEncoderKind::ClipL},
    {"transformer.text_model.", false, true, TextEncoderKind::ClipL},
    {"text_model.", false, true, TextEncoderKind::ClipL},
    {"cond_stage_model.model.", true, false, TextEncoderKind::OpenClipH},
    {"conditioner.embedders.0.model.", true, false, TextEncoderKind::OpenClipBigG},
    {"conditioner.embedders.1.model.", true, false, TextEncoderKind::OpenClipBigG},
    {"", true, true, TextEncoderKind::OpenClipBigG},
};

// ComfyUI's detect_te_model: the MLP of layer 30 (bigG has 32 layers) or 22 (ViT-H, 24).
void count_layers(FoundTextEncoder& e, const WeightLookup& lookup) {
    auto has_layer = [&](int i) {
        const std::string n = std::to_string(i);
        return lookup(e.open_clip_names ? e.prefix + "transformer.resblocks." + n + ".mlp.c_fc.weight"
                                        : e.prefix + "encoder.layers." + n + ".mlp.fc1.weight") != nullptr;
    };
    if (has_layer(30)) {
        e.kind = TextEncoderKind::OpenClipBigG;
        e.evidence = "layer 30 present (bigG has 32 layers)";
    } else if (has_layer(22)) {
        e.kind = TextEncoderKind::OpenClipH;
        e.evidence = "layer 22 present but not 30 (ViT-H has 24 layers)";
    } else {
        SDN_REQUIRE(!e.open_clip_names, SDN_ERR_FORMAT,
                    "OpenCLIP-named text encoder without a layer 22: neither ViT-H (24 layers) "
                    "nor bigG (32 layers), and CLIP-L files use transformers names");
        e.kind = TextEncoderKind::ClipL;
        e.evidence = "no layer 22 (CLIP-L has 12 layers)";
    }
}

std::string describe(const TextEncoderFile& f) {
    return f.path + " (" + text_encoder_kind_name(f.encoder.kind) + ": " + f.encoder.evidence + ")";
}

}  // namespace

const char* text_encoder_kind_name(TextEncoderKind kind) {
    switch (kind) {
        case TextEncoderKind::ClipL: return "CLIP-L";
        case TextEncoderKind::OpenClipH: return "OpenCLIP ViT-H";
        case TextEncoderKind::OpenClipBigG: return "OpenCLIP ViT-bigG";
    }
    return "unknown";
}

std::vector<FoundTextEncoder> find_text_encoders(const WeightLookup& lookup) {
    std::vector<FoundTextEncoder> out;
    for (const Candidate& c : kCandidates) {
        const std::string p = c.prefix;
        const char* token = c.open_clip_names ? "token_embedding.weight" : "embeddings.token_embedding.weight";
        if (!lookup(p + token)) continue;
        FoundTextEncoder e;
        e.prefix = p;
        e.open_clip_names = c.open_clip_names;
        if (c.counted) {
            count_layers(e, lookup);
        } else {
            e.kind = c.kind;
            e.evidence = "names under " + p;
        }
        e.evidence += std::string(", ") + (c.open_clip_names ? "OpenCLIP" : "transformers") + " names";
        out.push_back(std::move(e));
    }
    return out;
}

TextEncoderFile open_text_encoder_file(const std::string& path) {
    TextEncoderFile f;
    f.path = path;
    std::shared_ptr<Checkpoint> ck = Checkpoint::open(path);
    f.checkpoint = ck;
    std::vector<FoundTextEncoder> found;
    try {
        found = find_text_encoders(ck->lookup());
    } catch (const Error& e) {
        fail(e.status(), path + ": " + e.what());
    }
    if (found.empty()) {
        const ArchDetection& d = ck->detection();
        std::string holds;
        if (d.has_unet) holds = " It holds a diffusion model (UNet): load it with UNETLoader.";
        else if (d.has_vae) holds = " It holds a VAE: load it with VAELoader.";
        fail(SDN_ERR_NOT_FOUND,
             path + ": no text encoder (CLIP-L, OpenCLIP ViT-H or bigG in transformers names "
                    "text_model.* or OpenCLIP names transformer.resblocks.*, bare or under a "
                    "checkpoint prefix)." + holds);
    }
    if (found.size() > 1) {
        std::string list;
        for (const FoundTextEncoder& e : found)
            list += (list.empty() ? "" : ", ") + std::string(text_encoder_kind_name(e.kind)) + " under '" + e.prefix + "'";
        fail(SDN_ERR_INVALID_ARGUMENT,
             path + " holds " + std::to_string(found.size()) + " text encoders (" + list +
                 "); a text-encoder file holds one: load a full checkpoint with CheckpointLoaderSimple");
    }
    f.encoder = found.front();
    return f;
}

TextEncoderSet text_encoder_set(std::vector<TextEncoderFile> files, const std::string& type) {
    TextEncoderSet set;
    std::vector<bool> sdxl_role;  // per encoder: the SDXL form of its spec
    if (type == "stable_diffusion") {
        SDN_REQUIRE(files.size() == 1, SDN_ERR_INVALID_ARGUMENT,
                    "text encoder type 'stable_diffusion' takes one file, got " + std::to_string(files.size()));
        // As ComfyUI: CLIP-L is SD1.x's, ViT-H SD2.x's, bigG alone the SDXL refiner's.
        sdxl_role.push_back(files[0].encoder.kind == TextEncoderKind::OpenClipBigG);
    } else if (type == "sdxl") {
        SDN_REQUIRE(files.size() == 2, SDN_ERR_INVALID_ARGUMENT,
                    "text encoder type 'sdxl' takes two files (CLIP-L and bigG), got " + std::to_string(files.size()));
        const bool first_is_l = files[0].encoder.kind == TextEncoderKind::ClipL;
        const bool second_is_l = files[1].encoder.kind == TextEncoderKind::ClipL;
        const bool first_is_g = files[0].encoder.kind == TextEncoderKind::OpenClipBigG;
        const bool second_is_g = files[1].encoder.kind == TextEncoderKind::OpenClipBigG;
        SDN_REQUIRE((first_is_l && second_is_g) || (first_is_g && second_is_l), SDN_ERR_INVALID_ARGUMENT,
                    "text encoder type 'sdxl' needs one CLIP-L and one OpenCLIP ViT-bigG file; got " +
                        describe(files[0]) + " and " + describe(files[1]));
        if (first_is_g) std::swap(files[0], files[1]);  // outputs join CLIP-L first
        sdxl_role = {true, true};
    } else {
        fail(SDN_ERR_INVALID_ARGUMENT,
             "text encoder type '" + type + "' is not supported: 'stable_diffusion' (one file: "
             "CLIP-L, ViT-H or bigG) or 'sdxl' (CLIP-L and bigG) run in this engine");
    }

    // Encoder i answers under "te<i+1>." in the joined lookup, so names of two files never
    // clash and LoRA key maps see the encoders in order (model/lora_keys.h).
    std::vector<std::pair<std::string, std::string>> roots;  // joined root -> file root
    for (size_t i = 0; i < files.size(); ++i) {
        const FoundTextEncoder& e = files[i].encoder;
        const std::string joined_root = "te" + std::to_string(i + 1) + ".";
        std::string file_root = e.prefix;
        std::string spec_prefix = joined_root;
        if (!e.open_clip_names) {
            file_root = e.prefix.substr(0, e.prefix.size() - kTextModel.size());
            spec_prefix += kTextModel;
        }
        roots.emplace_back(joined_root, file_root);
        set.specs.push_back(e.kind == TextEncoderKind::ClipL
                                ? clip_l_text_spec(spec_prefix, sdxl_role[i])
                                : open_clip_text_spec(spec_prefix, sdxl_role[i], e.open_clip_names));
    }
    set.files = std::move(files);
    std::vector<WeightLookup> lookups;
    for (const TextEncoderFile& f : set.files) lookups.push_back(f.checkpoint->lookup());
    set.file_name_of = [roots](const std::string& name) -> std::pair<size_t, std::string> {
        for (size_t i = 0; i < roots.size(); ++i)
            if (starts_with(name, roots[i].first))
                return {i, roots[i].second + name.substr(roots[i].first.size())};
        return {0, ""};
    };
    set.lookup = [lookups, name_of = set.file_name_of](const std::string& name) -> const WeightRef* {
        const auto [index, file_name] = name_of(name);
        return file_name.empty() ? nullptr : lookups[index](file_name);
    };
    return set;
}

}  // namespace sdn
