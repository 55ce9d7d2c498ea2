// A LoRA file read as modules: the tensors that adapt one weight of a network, grouped by the
// stem they share (`lora_unet_..._to_q`, `unet.down_blocks.0....to_q`, ...) and sorted by
// the kind of adapter they make up. The naming schemes are ComfyUI's (comfy/lora.py and its
// weight adapters): kohya/LyCORIS (`.lora_up.weight`, `.lora_down.weight`, `.lora_mid.weight`,
// `.alpha`), the old diffusers form (`_lora.up.weight`), PEFT (`.lora_B.weight` /
// `.lora_A.weight`, also without `.weight` and with `.default`), `.lora.up.weight`,
// `.lora_linear_layer.up.weight`, LoHa (`.hada_*`) and LoKr (`.lokr_*`).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/model_file.h"

namespace sdn {

enum class LoraKind { LowRank, LoHa, LoKr };

struct LoraModule {
    std::string stem;
    LoraKind kind = LoraKind::LowRank;
    // Tensors by role: "up", "down", "mid", "dora_scale" (LowRank); "w1_a", "w1_b", "w2_a", "w2_b", "t1",
    // "t2" (LoHa); "w1", "w1_a", "w1_b", "w2", "w2_a", "w2_b", "t2" (LoKr).
    std::map<std::string, const TensorEntry*> parts;
    const TensorEntry* alpha = nullptr;  // absent: the scale is 1
    // Every tensor name of the module, for the "lora key not loaded" report.
    std::vector<std::string> names;

    const TensorEntry* part(const std::string& role) const {
        auto it = parts.find(role);
        return it == parts.end() ? nullptr : it->second;
    }
};

struct LoraFile {
    std::unique_ptr<ModelFile> file;
    std::vector<LoraModule> modules;    // by stem
    std::vector<std::string> unrecognized;  // tensors of no known role (or an incomplete module)
};

// Groups an opened file's tensors. Throws Error(SDN_ERR_FORMAT) for a file with no module.
LoraFile read_lora_modules(std::unique_ptr<ModelFile> file);

// Opens path (safetensors or GGUF) and groups it.
LoraFile open_lora_file(const std::string& path);

}  // namespace sdn
