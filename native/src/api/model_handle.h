// The struct behind sdn_model: a diffusion network the samplers can call.
// Owned by the checkpoint-loading code (api/model_api.cpp); extended there as needed.
#pragma once

#include <memory>

#include "core/diffusion_model.h"
#include "core/live_objects.h"
#include "model/lora_patch.h"
#include "model/network_recipe.h"
#include "model/weight_pages.h"

struct sdn_model : sdn::LiveHandle<SDN_LIVE_MODELS> {
    std::shared_ptr<sdn::DiffusionModel> model;
    sdn_arch arch = SDN_ARCH_UNKNOWN;
    // Released when a sample / encode / decode call ends (checkpoint loads only).
    sdn::WeightPages pages;
    // How to build this network again over patched weights (LoRA): the unpatched weights; null
    // when unknown.
    std::shared_ptr<const sdn::NetworkRecipe<sdn::DiffusionModel>> recipe;
    // The LoRAs this handle's network computes with (sdn_lora_apply), over recipe's weights.
    sdn::AppliedLoras loras;
};
