// Quantization quality on real-looking weights: RMS error of every stored type on rows of a
// checkpoint (by default the random-weight SD1.5 oracle checkpoint, $SDN_ORACLE_CHECKPOINT),
// next to the error of the GGUF tools' own K-quant search on the same rows (re-implemented in
// tests/native/quant/ggml_kquant_reference.h). The 32-value types use the tools' rounding
// rules byte for byte, so for them the two figures are the same by construction.
//
//   sdn_quant_quality_bench [checkpoint.safetensors|.gguf] [rows per tensor, default 64]
//
// Prints a Markdown table (docs/quantization.md carries the figures).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.h"
#include "ggml_kquant_reference.h"
#include "model/checkpoint.h"
#include "model/convert.h"
#include "quant/row_ops.h"

namespace {

// Weights whose rows are whole 256-value super-blocks, from each part of the model.
const char* const kTensors[] = {
    "model.diffusion_model.time_embed.2.weight",
    "model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight",
    "model.diffusion_model.middle_block.1.transformer_blocks.0.ff.net.2.weight",
    "model.diffusion_model.output_blocks.5.1.transformer_blocks.0.ff.net.0.proj.weight",
    "cond_stage_model.transformer.text_model.encoder.layers.0.mlp.fc1.weight",
    "cond_stage_model.transformer.text_model.encoder.layers.11.self_attn.q_proj.weight",
};

double rms(const std::vector<float>& a, const std::vector<float>* b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double d = b ? double(a[i]) - (*b)[i] : a[i];
        s += d * d;
    }
    return std::sqrt(s / static_cast<double>(a.size()));
}

// Quantizes and decodes with our quantizer; *seconds gets the quantizing time alone.
std::vector<float> ours(sdn::DType t, const std::vector<float>& x, double* seconds) {
    std::vector<uint8_t> q(static_cast<size_t>(sdn::dtype_row_bytes(t, static_cast<int64_t>(x.size()))));
    const auto start = std::chrono::steady_clock::now();
    sdn::quantize_row_reference(t, x.data(), q.data(), static_cast<int64_t>(x.size()));
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<float> y(x.size());
    sdn::dequantize_row_reference(t, q.data(), y.data(), static_cast<int64_t>(x.size()));
    return y;
}

std::vector<float> gather_rows(const sdn::Checkpoint& ck, int64_t rows_per_tensor) {
    std::vector<float> values;
    for (const char* name : kTensors) {
        const sdn::TensorEntry* found = ck.file().find(name);
        if (!found) {
            std::fprintf(stderr, "note: %s not in the checkpoint; skipped\n", name);
            continue;
        }
        std::vector<float> all(static_cast<size_t>(found->ref.elements()));
        sdn::decode_plain_weight(found->ref, all.data());
        const int64_t len = found->ref.row_elems(), n = std::min(rows_per_tensor, found->ref.rows());
        // Rows spread evenly over the tensor, not just its first ones.
        for (int64_t r = 0; r < n; ++r) {
            const int64_t row = r * found->ref.rows() / n;
            values.insert(values.end(), all.begin() + row * len, all.begin() + (row + 1) * len);
        }
    }
    return values;
}

}  // namespace

int main(int argc, char** argv) {
    const char* env = std::getenv("SDN_ORACLE_CHECKPOINT");
    const std::string path = argc > 1 ? argv[1] : (env ? env : "");
    if (path.empty()) {
        std::fprintf(stderr, "usage: %s CHECKPOINT [ROWS]  (or set SDN_ORACLE_CHECKPOINT)\n", argv[0]);
        return 2;
    }
    const int64_t rows = argc > 2 ? std::atoll(argv[2]) : 64;
    try {
        const auto ck = sdn::Checkpoint::open(path);
        const std::vector<float> x = gather_rows(*ck, rows);
        if (x.empty() || x.size() % 256 != 0) {
            std::fprintf(stderr, "no usable rows found in %s\n", path.c_str());
            return 1;
        }
        const double scale = rms(x, nullptr);
        std::printf("%zu values from %zu tensors, RMS value %.4g\n\n", x.size(), std::size(kTensors), scale);
        std::printf("| type | bits/weight | RMS error (ours) | RMS error (GGUF tools' search) | ours / tools | error / RMS value | ours, M values/s |\n");
        std::printf("|---|---|---|---|---|---|---|\n");
        using sdn::DType;
        for (DType t : {DType::Q8_0, DType::Q6_K, DType::Q5_K, DType::Q5_1, DType::Q5_0, DType::Q4_K, DType::Q4_1,
                        DType::Q4_0, DType::Q3_K, DType::Q2_K}) {
            const auto& tr = sdn::dtype_traits(t);
            double seconds = 0;
            const std::vector<float> y = ours(t, x, &seconds);
            const double mine = rms(x, &y);
            const bool k = tr.block_elems == 256;
            const std::vector<float> y_tools = k ? ggml_ref::roundtrip(t, x) : y;
            const double tools = rms(x, &y_tools);
            std::printf("| %s | %.4g | %.4g | %.4g%s | %.3f | %.4f | %.1f |\n", tr.name,
                        8.0 * static_cast<double>(tr.block_bytes) / static_cast<double>(tr.block_elems), mine, tools,
                        k ? "" : " (same rule)", mine / tools, mine / scale, static_cast<double>(x.size()) / seconds / 1e6);
        }
    } catch (const sdn::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
