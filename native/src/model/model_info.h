// sdn_model_info: a JSON description of a model file (format, architecture and its evidence,
// components, tensor counts per stored type, total bytes, missing and unexpected tensors).
#pragma once

#include <string>

namespace sdn {

std::string model_info_json(const std::string& path);

}  // namespace sdn
