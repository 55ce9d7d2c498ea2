// Tiny random-weight checkpoints for tests: the real LDM tensor names of SD1.x, SD2.x and SDXL
// (base and refiner) with shrunk widths and depths, generated deterministically from a seed,
// and written as safetensors or GGUF in any supported weight type.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "quant/dtype.h"

namespace sdn {

// Which text encoders a test checkpoint carries, under their real prefixes and naming.
enum class TestClipLayout {
    Sd1ClipL,      // cond_stage_model.transformer.text_model.* (transformers names)
    Sd2OpenClipH,  // cond_stage_model.model.* (OpenCLIP names)
    SdxlBase,      // conditioner.embedders.0.transformer.text_model.* + embedders.1.model.*
    SdxlRefiner,   // conditioner.embedders.0.model.* (OpenCLIP bigG alone)
};

struct TestModelSpec {
    // UNet
    int64_t model_channels = 32;
    std::vector<int64_t> channel_mult{1, 2};
    int num_res_blocks = 1;
    std::vector<bool> attention_at_level{true, false};  // as SD1: none at the deepest level
    int64_t context_dim = 64;  // = clip_width: the UNet attends to the CLIP output
    int64_t latent_channels = 4;
    // CLIP text model
    int64_t clip_width = 64;  // CLIP heads are 64 wide: one head
    int clip_layers = 2;
    int64_t clip_vocab = 49408;  // every token id must have a row
    int64_t clip_positions = 77;
    // VAE: three downsamples (factor 8) as SD's, with small widths
    int64_t vae_ch = 32;
    std::vector<int64_t> vae_ch_mult{1, 2, 2, 2};
    int vae_res_blocks = 1;
    // SD2.x / SDXL traits
    TestClipLayout clip_layout = TestClipLayout::Sd1ClipL;
    bool linear_projections = false;     // proj_in/proj_out as [out, in] linears (SD2, SDXL)
    std::vector<int> transformer_depth;  // per level; empty = 1 wherever attention_at_level
    int64_t open_clip_width = 64;        // OpenCLIP encoder width (one 64-wide head)
    int open_clip_layers = 2;
    int64_t adm_pooled_width = 0;  // > 0: label_emb over pooled + 6 (refiner 5) x 256 values
    bool v_pred_key = false;       // ComfyUI's v_pred marker tensor
    // Which components to emit
    bool with_unet = true, with_clip = true, with_vae = true;
    bool with_schedule_buffers = true;  // alphas_cumprod etc., which loaders must ignore
};

struct TestTensor {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> values;  // ignored when is_i64 (then i64_values)
    bool is_i64 = false;
    std::vector<int64_t> i64_values;
};

// Tiny specs of the other architectures: 64-channel UNet widths (64-wide heads), SD2 with
// linear projections and OpenCLIP-H; SDXL with no attention at level 0, depth 2 at level 1,
// CLIP-L + bigG (context 128) and the ADM vector; the refiner with bigG alone and, like the
// real one, attention only at its middle level.
TestModelSpec tiny_sd2_spec();
TestModelSpec tiny_sdxl_spec();
TestModelSpec tiny_sdxl_refiner_spec();

// The tensors of a test checkpoint (full LDM names: model.diffusion_model.*,
// cond_stage_model.transformer.text_model.*, first_stage_model.*), deterministic in seed.
std::vector<TestTensor> make_test_model_tensors(const TestModelSpec& spec, uint64_t seed);

// Which stored type a tensor gets when the requested weight type is `type`: quantized types
// only for >=2-D weights whose rows split into whole blocks and that are not embeddings;
// everything else f32 (1-D) or f16.
DType storage_type_for(const std::string& name, const std::vector<int64_t>& shape, DType type);

// Writes tensors as safetensors (type f32, f16 or bf16; I64 tensors stay I64).
void write_safetensors(const std::string& path, const std::vector<TestTensor>& tensors,
                       DType type);

// A GGUF metadata entry: string or u32.
struct GgufMeta {
    std::string key;
    bool is_string = true;
    std::string s;
    uint32_t u = 0;
    std::vector<std::string> strings;  // when non-empty: an array of strings
    std::vector<int32_t> i32s;         // when non-empty: an array of INT32
};

inline GgufMeta gguf_string(std::string key, std::string value) {
    GgufMeta m;
    m.key = std::move(key);
    m.s = std::move(value);
    return m;
}

// Writes tensors as GGUF v3 with weights of `type` (see storage_type_for); I64 tensors are
// left out (GGUF checkpoints carry no position_ids).
void write_gguf(const std::string& path, const std::vector<TestTensor>& tensors, DType type,
                const std::vector<GgufMeta>& metadata);

// The streaming form: tensor i has name, shape and stored type; bytes(i) produces its data
// (exactly dtype_row_bytes(type, elements) bytes), called once per tensor in order.
struct GgufTensorPlan {
    std::string name;
    std::vector<int64_t> shape;
    DType type;
};
void write_gguf_streaming(const std::string& path, const std::vector<GgufTensorPlan>& plan,
                          const std::vector<GgufMeta>& metadata,
                          const std::function<std::vector<uint8_t>(size_t index)>& bytes);

}  // namespace sdn
