// The struct behind sdn_clip: CLIP tokenizer + text transformer (as ClipEncoder) plus whatever
// keeps the weights alive (usually the memory-mapped model file they point into).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/live_objects.h"
#include "model/lora_patch.h"
#include "model/network_recipe.h"
#include "model/weight_pages.h"
#include "model/clip_encoder.h"
#include "model/clip_text_model.h"
#include "model/clip_tokenizer.h"
#include "model/weight_lookup.h"

struct sdn_clip : sdn::LiveHandle<SDN_LIVE_CLIPS> {
    std::shared_ptr<sdn::ClipEncoder> encoder;
    std::shared_ptr<void> keepalive;  // owner of the memory the weights point into
    // Released when a sample / encode / decode call ends (checkpoint loads only).
    sdn::WeightPages pages;
    // How to build this encoder again over patched weights (LoRA): the unpatched weights; null
    // when unknown.
    std::shared_ptr<const sdn::NetworkRecipe<sdn::ClipEncoder>> recipe;
    // The LoRAs this handle's network computes with (sdn_lora_apply), over recipe's weights.
    sdn::AppliedLoras loras;
};

namespace sdn {

// Builds a CLIP handle from text-model weights found by name under prefix (SD1 checkpoints:
// kSd1ClipPrefix = "cond_stage_model.transformer.text_model."). keepalive must own whatever
// the lookup's WeightRefs point into. The tokenizer usually comes from
// locate_clip_tokenizer (model/clip_tokenizer_locator.h). Throws Error(SDN_ERR_FORMAT) naming
// missing tensors.
sdn_clip* make_clip_handle(const WeightLookup& lookup, std::shared_ptr<ClipTokenizer> tokenizer,
                           std::shared_ptr<void> keepalive,
                           const std::string& prefix = kSd1ClipPrefix);
// The same for every text encoder of an architecture (SDXL: CLIP-L then bigG), each built
// from its spec (model/arch_detect.h lists them per file).
sdn_clip* make_clip_handle(const WeightLookup& lookup, std::shared_ptr<ClipTokenizer> tokenizer,
                           std::shared_ptr<void> keepalive, const std::vector<ClipTextSpec>& specs);

}  // namespace sdn
