// VAE files saved by diffusers (AutoencoderKL) name the same tensors differently from the
// original LDM checkpoints: down_blocks/resnets/downsamplers, mid_block.attentions.0.to_q,
// conv_norm_out, ... and number the decoder's up blocks coarsest first. This adapter serves
// LDM names out of a diffusers-named file, so the networks only ever ask for LDM names.
#pragma once

#include <string>

#include "model/weight_lookup.h"

namespace sdn::vae {

// True when lookup holds a diffusers-layout VAE under prefix (e.g. "" or "vae.").
bool is_diffusers_vae(const WeightLookup& lookup, const std::string& prefix);

// A lookup answering LDM names "<ldm_prefix>encoder.down.0.block.0.norm1.weight", ... from
// the diffusers names under diffusers_prefix in inner. inner must outlive the result.
WeightLookup diffusers_vae_lookup(WeightLookup inner, const std::string& diffusers_prefix,
                                  const std::string& ldm_prefix);

// The diffusers name of one LDM name (both without prefixes), given the number of decoder
// levels; "" when the name has no diffusers counterpart. Attention projections have two
// spellings in diffusers' history; alternate = true gives the older one (query, key, value,
// proj_attn).
std::string diffusers_vae_name(const std::string& ldm_name, int decoder_levels, bool alternate);

}  // namespace sdn::vae
