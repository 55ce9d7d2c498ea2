// How a network finds its weights: by full tensor name. Checkpoint loading decides which file
// and which name mapping back it; the networks only ask for names.
#pragma once

#include <functional>
#include <string>

#include "quant/dtype.h"

namespace sdn {

// Returns nullptr when the tensor does not exist.
using WeightLookup = std::function<const WeightRef*(const std::string& name)>;

}  // namespace sdn
