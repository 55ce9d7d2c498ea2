// Grouping a LoRA file's tensors into modules by their name suffixes.
#include "model/lora_file.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace sdn {

namespace {

struct Suffix {
    const char* text;
    LoraKind kind;
    const char* role;  // "alpha" belongs to any kind
};

// Longest first where one suffix ends another (".lora_B.default.weight" before
// ".lora_B.weight"); the rest are unambiguous.
constexpr Suffix kSuffixes[] = {
    {".lora_up.weight", LoraKind::LowRank, "up"},
    {".lora_down.weight", LoraKind::LowRank, "down"},
    {".lora_mid.weight", LoraKind::LowRank, "mid"},
    {".dora_scale", LoraKind::LowRank, "dora_scale"},
    {"_lora.up.weight", LoraKind::LowRank, "up"},
    {"_lora.down.weight", LoraKind::LowRank, "down"},
    {".lora_B.default.weight", LoraKind::LowRank, "up"},
    {".lora_A.default.weight", LoraKind::LowRank, "down"},
    {".lora_B.weight", LoraKind::LowRank, "up"},
    {".lora_A.weight", LoraKind::LowRank, "down"},
    {".lora.up.weight", LoraKind::LowRank, "up"},
    {".lora.down.weight", LoraKind::LowRank, "down"},
    {".lora_linear_layer.up.weight", LoraKind::LowRank, "up"},
    {".lora_linear_layer.down.weight", LoraKind::LowRank, "down"},
    {".lora_B", LoraKind::LowRank, "up"},
    {".lora_A", LoraKind::LowRank, "down"},
    {".hada_w1_a", LoraKind::LoHa, "w1_a"},
    {".hada_w1_b", LoraKind::LoHa, "w1_b"},
    {".hada_w2_a", LoraKind::LoHa, "w2_a"},
    {".hada_w2_b", LoraKind::LoHa, "w2_b"},
    {".hada_t1", LoraKind::LoHa, "t1"},
    {".hada_t2", LoraKind::LoHa, "t2"},
    {".lokr_w1", LoraKind::LoKr, "w1"},
    {".lokr_w1_a", LoraKind::LoKr, "w1_a"},
    {".lokr_w1_b", LoraKind::LoKr, "w1_b"},
    {".lokr_w2", LoraKind::LoKr, "w2"},
    {".lokr_w2_a", LoraKind::LoKr, "w2_a"},
    {".lokr_w2_b", LoraKind::LoKr, "w2_b"},
    {".lokr_t2", LoraKind::LoKr, "t2"},
    {".alpha", LoraKind::LowRank, "alpha"},
};

bool ends_with(const std::string& s, const char* suffix) {
    const size_t n = std::strlen(suffix);
    return s.size() > n && s.compare(s.size() - n, n, suffix) == 0;
}

struct Pending {
    LoraModule module;
    bool has_kind = false;
    bool mixed = false;  // parts of two adapter kinds under one stem
};

// A module can compute a weight difference only with these parts present.
bool complete(const LoraModule& m) {
    switch (m.kind) {
        case LoraKind::LowRank: return m.part("up") && m.part("down");
        case LoraKind::LoHa:
            return m.part("w1_a") && m.part("w1_b") && m.part("w2_a") && m.part("w2_b");
        case LoraKind::LoKr:
            return (m.part("w1") || (m.part("w1_a") && m.part("w1_b"))) &&
                   (m.part("w2") || (m.part("w2_a") && m.part("w2_b")));
    }
    return false;
}

}  // namespace

LoraFile read_lora_modules(std::unique_ptr<ModelFile> file) {
    LoraFile out;
    std::map<std::string, Pending> by_stem;
    for (const TensorEntry& e : file->tensors()) {
        const Suffix* hit = nullptr;
        for (const Suffix& s : kSuffixes)
            if (ends_with(e.name, s.text)) {
                hit = &s;
                break;
            }
        if (!hit) {
            out.unrecognized.push_back(e.name);
            continue;
        }
        const std::string stem = e.name.substr(0, e.name.size() - std::strlen(hit->text));
        Pending& p = by_stem[stem];
        p.module.stem = stem;
        p.module.names.push_back(e.name);
        if (std::strcmp(hit->role, "alpha") == 0) {
            p.module.alpha = &e;
            continue;
        }
        if (p.has_kind && p.module.kind != hit->kind) p.mixed = true;
        p.module.kind = hit->kind;
        p.has_kind = true;
        p.module.parts[hit->role] = &e;
    }
    for (auto& [stem, p] : by_stem) {
        if (!p.has_kind || p.mixed || !complete(p.module)) {
            out.unrecognized.insert(out.unrecognized.end(), p.module.names.begin(),
                                    p.module.names.end());
            continue;
        }
        out.modules.push_back(std::move(p.module));
    }
    SDN_REQUIRE(!out.modules.empty(), SDN_ERR_FORMAT,
                file->path() + ": no LoRA module found (no lora_up/lora_down, lora_A/lora_B, "
                               "hada_* or lokr_* tensors)");
    std::sort(out.unrecognized.begin(), out.unrecognized.end());
    out.file = std::move(file);
    return out;
}

LoraFile open_lora_file(const std::string& path) {
    return read_lora_modules(ModelFile::open(path));
}

}  // namespace sdn
