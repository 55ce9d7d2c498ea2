// One sdn_sample call with a single positive and negative conditioning and a plain latent,
// as the KSampler tests through the C API make it.
#pragma once

#include "sdnative.h"

namespace sdn_test {

inline sdn_status sample_once(sdn_context* ctx, sdn_model* model, const sdn_sample_params_t& params,
                              sdn_tensor* positive, sdn_tensor* negative, sdn_tensor* latent,
                              sdn_tensor** out) {
    sdn_cond_t pc, nc;
    sdn_cond_init(&pc);
    sdn_cond_init(&nc);
    pc.tokens = positive;
    nc.tokens = negative;
    sdn_latent_t l;
    sdn_latent_init(&l);
    l.samples = latent;
    return sdn_sample(ctx, model, &params, &pc, 1, &nc, 1, &l, out);
}

}  // namespace sdn_test
