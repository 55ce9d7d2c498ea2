// sdn_clip_load: CLIP handles from text-encoder files (ComfyUI's CLIPLoader and
// DualCLIPLoader), one or two files joined into one encoder set (model/text_encoder_files.h).
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "api/clip_handle.h"
#include "api/guard.h"
#include "model/checkpoint_recipes.h"
#include "model/clip_tokenizer_locator.h"
#include "model/text_encoder_files.h"

using namespace sdn;

namespace {

struct ClipDeleter {
    void operator()(sdn_clip* c) const { sdn_clip_free(c); }
};

// Keeps every file of the set mapped while a network built from it lives.
struct OpenedFiles {
    std::vector<std::shared_ptr<const Checkpoint>> checkpoints;
};

}  // namespace

extern "C" {

SDN_API sdn_status sdn_clip_load(sdn_context* ctx, const char* path1, const char* path2,
                                 const char* type, const sdn_load_options_t* options,
                                 sdn_clip** clip_out) {
    if (clip_out) *clip_out = nullptr;
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(path1);
        SDN_REQUIRE_ARG(type);
        SDN_REQUIRE_ARG(clip_out);
        SDN_REQUIRE(!options || options->struct_size >= sizeof(uint32_t), SDN_ERR_INVALID_ARGUMENT,
                    "sdn_load_options_t.struct_size not set (call sdn_load_options_init)");
        Context& c = ctx->impl;
        const int total = path2 ? 3 : 2;
        c.progress(SDN_STAGE_LOAD, 0, total);
        std::vector<TextEncoderFile> files;
        for (const char* path : {path1, path2}) {
            if (!path) continue;
            files.push_back(open_text_encoder_file(path));
            const TextEncoderFile& f = files.back();
            c.log(SDN_LOG_DEBUG, "%s: %s, %s", path, text_encoder_kind_name(f.encoder.kind),
                  f.encoder.evidence.c_str());
            c.progress(SDN_STAGE_LOAD, static_cast<int>(files.size()), total);
        }
        TextEncoderSet set = text_encoder_set(std::move(files), type);
        const TextEncoderFile& first = set.files.front();
        std::shared_ptr<ClipTokenizer> tokenizer = locate_clip_tokenizer(
            &first.checkpoint->file(), first.path, options ? options->tokenizer_path : nullptr,
            options ? options->models_dir : nullptr);

        auto keepalive = std::make_shared<OpenedFiles>();
        for (const TextEncoderFile& f : set.files) keepalive->checkpoints.push_back(f.checkpoint);
        std::set<std::string> used;
        const WeightLookup recording = [&used, lookup = set.lookup](const std::string& name) {
            used.insert(name);
            return lookup(name);
        };
        std::unique_ptr<sdn_clip, ClipDeleter> clip(
            make_clip_handle(recording, tokenizer, keepalive, set.specs));
        std::vector<std::set<std::string>> used_in_file(set.files.size());
        for (const std::string& name : used) {
            const auto [index, file_name] = set.file_name_of(name);
            if (!file_name.empty()) used_in_file[index].insert(file_name);
        }
        for (size_t i = 0; i < set.files.size(); ++i) {
            const TextEncoderFile& f = set.files[i];
            clip->pages.append(WeightPages(f.checkpoint, used_in_file[i]));
            warn_unexpected(c, f.path, f.checkpoint->unexpected_tensors(used_in_file[i], false, true, false));
        }
        clip->recipe = clip_recipe(set.lookup, keepalive, set.specs, used, tokenizer);
        c.progress(SDN_STAGE_LOAD, total, total);
        *clip_out = clip.release();
    });
}

}  // extern "C"
