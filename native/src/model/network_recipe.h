// What a network handle was built from, kept so that the same network can be built again
// over other weights: a LoRA patches a few tensors and the rest stay the ones the original
// reads (the same mapped bytes, never a copy). Building again is cheap: networks only bind
// names to weights.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "model/weight_lookup.h"

namespace sdn {

template <class Network>
struct NetworkRecipe {
    // Builds the network from a lookup; keepalive must own whatever the lookup's weights
    // (and the lookup itself) point into.
    using Builder =
        std::function<std::shared_ptr<Network>(const WeightLookup&, std::shared_ptr<void> keepalive)>;

    WeightLookup lookup;              // the weights as this network sees them
    std::set<std::string> names;      // full names of every tensor it reads
    std::shared_ptr<void> keepalive;  // owns what lookup points into
    Builder build;
};

}  // namespace sdn
