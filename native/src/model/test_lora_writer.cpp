// Tiny random LoRAs: the module list walks the test model's blocks in diffusers numbering
// (down_blocks.L.attentions.R = the R-th resnet of level L on the input path, ...), shapes
// come from the test model's own tensors.
#include "model/test_lora_writer.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <random>

#include "core/error.h"

namespace sdn {

namespace {

const char* const kBlockParts[] = {
    "attn1.to_q", "attn1.to_k", "attn1.to_v", "attn1.to_out.0",
    "attn2.to_q", "attn2.to_k", "attn2.to_v", "attn2.to_out.0",
    "ff.net.0.proj", "ff.net.2",
};
const char* const kClipParts[] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                  "self_attn.out_proj", "mlp.fc1", "mlp.fc2"};
// The OpenCLIP tensor behind each HF part, and which third of in_proj q, k and v are.
const char* const kOpenClipParts[] = {"attn.in_proj_weight", "attn.in_proj_weight", "attn.in_proj_weight",
                                      "attn.out_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"};

// How a module's stem starts: kohya and PEFT spellings per network.
struct StemPrefix {
    const char* kohya;
    const char* peft;
};
const StemPrefix kUnetStem{"lora_unet_", "unet."};

struct Planned {
    std::string diffusers;  // the module's diffusers name ("down_blocks.0.attentions.0.proj_in")
    std::string target;     // checkpoint tensor
    StemPrefix stem = kUnetStem;
    bool conv3x3 = false, with_mid = false;
    int part = 0, parts = 1;  // a third of a fused q/k/v projection: part of 3
};

int depth_at(const TestModelSpec& s, size_t level) {
    if (!s.attention_at_level[level]) return 0;
    return s.transformer_depth.empty() ? 1 : s.transformer_depth[level];
}

std::string underscored(std::string s) {
    for (char& c : s)
        if (c == '.') c = '_';
    return s;
}

void plan_unet(const TestModelSpec& s, bool locon, std::vector<Planned>& out) {
    const std::string p = "model.diffusion_model.";
    auto transformer = [&](const std::string& diff, const std::string& ldm, int depth) {
        for (const char* part : {"proj_in", "proj_out"})
            out.push_back({diff + "." + part, p + ldm + "." + part + ".weight"});
        for (int d = 0; d < depth; ++d)
            for (const char* part : kBlockParts) {
                const std::string block = ".transformer_blocks." + std::to_string(d) + "." + part;
                out.push_back({diff + block, p + ldm + block + ".weight"});
            }
    };
    auto resnet = [&](const std::string& diff, const std::string& ldm) {
        if (!locon) return;
        out.push_back({diff + ".conv1", p + ldm + ".in_layers.2.weight", kUnetStem, true, true});
        out.push_back({diff + ".conv2", p + ldm + ".out_layers.3.weight", kUnetStem, true, false});
    };
    const int levels = static_cast<int>(s.channel_mult.size());
    int idx = 1;
    for (int l = 0; l < levels; ++l) {
        for (int r = 0; r < s.num_res_blocks; ++r, ++idx) {
            const std::string diff = "down_blocks." + std::to_string(l);
            const std::string ldm = "input_blocks." + std::to_string(idx);
            resnet(diff + ".resnets." + std::to_string(r), ldm + ".0");
            if (const int depth = depth_at(s, static_cast<size_t>(l)); depth > 0)
                transformer(diff + ".attentions." + std::to_string(r), ldm + ".1", depth);
        }
        if (l + 1 < levels) ++idx;  // the downsampler
    }
    resnet("mid_block.resnets.0", "middle_block.0");
    transformer("mid_block.attentions.0", "middle_block.1",
                std::max(1, depth_at(s, static_cast<size_t>(levels - 1))));
    resnet("mid_block.resnets.1", "middle_block.2");
    int out_idx = 0;
    for (int up = 0; up < levels; ++up) {
        const int l = levels - 1 - up;
        for (int r = 0; r <= s.num_res_blocks; ++r, ++out_idx) {
            const std::string diff = "up_blocks." + std::to_string(up);
            const std::string ldm = "output_blocks." + std::to_string(out_idx);
            resnet(diff + ".resnets." + std::to_string(r), ldm + ".0");
            if (const int depth = depth_at(s, static_cast<size_t>(l)); depth > 0)
                transformer(diff + ".attentions." + std::to_string(r), ldm + ".1", depth);
        }
    }
}

// HF-named CLIP-L layers under root (SD1 with lora_te_, SDXL's first encoder with lora_te1_).
void plan_hf_clip(int layers, const std::string& root, StemPrefix stem, std::vector<Planned>& out) {
    for (int i = 0; i < layers; ++i)
        for (const char* part : kClipParts) {
            const std::string name = "text_model.encoder.layers." + std::to_string(i) + "." + part;
            out.push_back({name, root + name + ".weight", stem});
        }
}

// SDXL's bigG (OpenCLIP names in the checkpoint) as LoRA files address it: in HF names, with
// q, k and v each a third of the fused in_proj.
void plan_open_clip(int layers, const std::string& root, StemPrefix stem, std::vector<Planned>& out) {
    for (int i = 0; i < layers; ++i)
        for (size_t k = 0; k < std::size(kClipParts); ++k) {
            Planned m;
            m.diffusers = "text_model.encoder.layers." + std::to_string(i) + "." + kClipParts[k];
            m.target = root + "transformer.resblocks." + std::to_string(i) + "." + kOpenClipParts[k];
            m.stem = stem;
            if (k < 3) m.part = static_cast<int>(k), m.parts = 3;
            out.push_back(std::move(m));
        }
}

void plan_clip(const TestModelSpec& s, std::vector<Planned>& out) {
    switch (s.clip_layout) {
        case TestClipLayout::Sd1ClipL:
            plan_hf_clip(s.clip_layers, "cond_stage_model.transformer.", {"lora_te_", "text_encoder."}, out);
            break;
        case TestClipLayout::SdxlBase:
            plan_hf_clip(s.clip_layers, "conditioner.embedders.0.transformer.", {"lora_te1_", "text_encoder."}, out);
            plan_open_clip(s.open_clip_layers, "conditioner.embedders.1.model.", {"lora_te2_", "text_encoder_2."}, out);
            break;
        default:
            fail(SDN_ERR_INVALID_ARGUMENT, "test LoRA text-encoder modules are written for SD1 and SDXL base only");
    }
}

class Values {
public:
    explicit Values(uint64_t seed) : gen_(seed) {}
    // Uniform values with standard deviation `std`.
    std::vector<float> make(int64_t n, double std) {
        std::vector<float> v(static_cast<size_t>(n));
        const double a = std * std::sqrt(3.0);
        for (float& x : v) x = static_cast<float>(a * (2.0 * static_cast<double>(gen_() >> 11) * 0x1.0p-53 - 1.0));
        return v;
    }

private:
    std::mt19937_64 gen_;
};

TestTensor tensor(std::string name, std::vector<int64_t> shape, std::vector<float> values) {
    TestTensor t;
    t.name = std::move(name);
    t.shape = std::move(shape);
    t.values = std::move(values);
    return t;
}

}  // namespace

std::vector<TestTensor> make_test_lora_tensors(const TestModelSpec& model, const TestLoraSpec& spec,
                                               uint64_t seed, std::vector<TestLoraModule>* modules) {
    SDN_REQUIRE(spec.rank > 0, SDN_ERR_INVALID_ARGUMENT, "test LoRA rank must be positive");
    SDN_REQUIRE(!spec.locon || spec.naming == TestLoraNaming::Kohya, SDN_ERR_INVALID_ARGUMENT,
                "test LoCon modules are written with kohya names only");
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const TestTensor& t : make_test_model_tensors(model, 0)) shapes[t.name] = t.shape;

    std::vector<Planned> plan;
    if (spec.unet) plan_unet(model, spec.locon, plan);
    if (spec.clip) plan_clip(model, plan);
    const int64_t r = spec.rank;
    const double scale = spec.alpha > 0 ? spec.alpha / static_cast<double>(r) : 1.0;
    Values values(seed);
    std::vector<TestTensor> out;
    for (const Planned& m : plan) {
        const auto it = shapes.find(m.target);
        SDN_REQUIRE(it != shapes.end(), SDN_ERR_INTERNAL, "test LoRA target missing: " + m.target);
        const std::vector<int64_t>& w = it->second;
        const int64_t rows = w[0] / m.parts, in = w.size() > 1 ? w[1] : 1;
        const int64_t taps = w.size() == 4 ? w[2] * w[3] : 1;
        const bool peft = spec.naming == TestLoraNaming::Peft;
        const std::string stem = peft ? m.stem.peft + m.diffusers : m.stem.kohya + underscored(m.diffusers);
        const std::string up = peft ? ".lora_B.weight" : ".lora_up.weight";
        const std::string down = peft ? ".lora_A.weight" : ".lora_down.weight";
        // Base weights are uniform with std 1/sqrt(3·fan_in); down has std 1/sqrt(fan_in).
        const double up_std = spec.relative_size / (std::sqrt(3.0 * static_cast<double>(r)) * scale);
        const bool one_by_one = w.size() == 4 && !(m.conv3x3 && !m.with_mid);
        std::vector<int64_t> down_shape{r, in};
        std::vector<int64_t> up_shape{rows, r};
        if (w.size() == 4) {
            down_shape = one_by_one ? std::vector<int64_t>{r, in, 1, 1} : std::vector<int64_t>{r, in, w[2], w[3]};
            up_shape = {rows, r, 1, 1};
        }
        const int64_t down_fan = in * (one_by_one ? 1 : taps);
        out.push_back(tensor(stem + down, down_shape,
                             values.make(r * down_fan, 1.0 / std::sqrt(static_cast<double>(down_fan)))));
        if (m.with_mid)
            out.push_back(tensor(stem + ".lora_mid.weight", {r, r, w[2], w[3]},
                                 values.make(r * r * taps, 1.0 / std::sqrt(static_cast<double>(r * taps)))));
        out.push_back(tensor(stem + up, up_shape, values.make(rows * r, up_std)));
        if (spec.alpha > 0) out.push_back(tensor(stem + ".alpha", {}, {spec.alpha}));
        if (modules) modules->push_back({stem, m.target, m.part, m.parts});
    }
    return out;
}

}  // namespace sdn
