// A whole tiny-UNet evaluation with q8_0 weights (stored as a q8_0 GGUF stores them: the 2-D
// weights whose rows are whole 32-blocks, convs and embeddings left in float) on the
// avx512-bf16 variant, where those weights take integer products over activations quantized
// per 32-block (cpu/gemm_int8.h), against the float32 variant on the same weights (which
// expands them exactly). Skipped, saying why, where the CPU lacks AVX512-BF16 with VNNI.
//
// The bound extends bf16_error_bound.h's deep bound. An integer product's only error is the
// activation's quantization: per element at most d / 2 with d = max|x| / 127 over its block,
// uniform below that, so RMS d / sqrt(12); over a dot product with weights of random sign the
// result's relative RMS error is (max|x| / rms(x)) / (127 sqrt(12)) = crest / 440. Blocks of 32
// activations have a crest factor (max over RMS) under 3.4 unless one value dominates (the
// largest of 32 normal samples is ~2.5 sigma), so each integer product is allowed 2^-7
// (= 3.4 / 440), twice a bf16-rounded product's 2^-8. Independent between layers, the errors
// add in quadrature: 2 sqrt(P_bf16 (2^-8)^2 + P_int8 (2^-7)^2).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include "core/cpu_features.h"
#include "core/half.h"
#include "cpu/cpu_backend.h"
#include "model/test_model_writer.h"
#include "model/unet_model.h"
#include "quant/row_ops.h"
#include "support/scoped_env.h"
#include "support/bf16_error_bound.h"
#include "support/float32_variant.h"
#include "support/relative_error.h"
#include "tiny_unet_eval.h"

namespace {

using namespace sdn;

// How the UNet's convs (rows of 3 or 1 along kw) are held.
enum class Convs {
    Float32,             // as a stable-diffusion.cpp-layout q8_0 file leaves them (in float)
    FlattenedQ8_0,       // q8_0 rows of C*kh*kw where those are whole blocks (`sdnative convert --conv-layout flattened`)
    ExpandedFlattenedF16 // those q8_0 values expanded to f16, as the loader did before it kept them
};

bool flattens(const TestTensor& t) {
    return t.shape.size() == 4 && t.name.rfind("model.diffusion_model.", 0) == 0 &&
           (t.values.size() / static_cast<size_t>(t.shape[0])) % 32 == 0 && t.shape.back() % 32 != 0;
}

// The tensors as a q8_0 file holds them: q8_0 where storage_type_for says so (and the convs as
// `convs` says), else float32.
class Q8_0Weights {
public:
    explicit Q8_0Weights(std::vector<TestTensor> tensors, Convs convs = Convs::Float32)
        : tensors_(std::move(tensors)) {
        for (const auto& t : tensors_) {
            if (t.is_i64) continue;
            WeightRef r;
            r.shape = t.shape;
            const bool flat = convs != Convs::Float32 && flattens(t);
            if (storage_type_for(t.name, t.shape, DType::Q8_0) == DType::Q8_0 || flat) {
                const int64_t K = flat ? static_cast<int64_t>(t.values.size()) / t.shape[0] : t.shape.back();
                const int64_t rows = static_cast<int64_t>(t.values.size()) / K;
                const int64_t row_bytes = dtype_row_bytes(DType::Q8_0, K);
                auto& bytes = bytes_[t.name];
                bytes.resize(static_cast<size_t>(rows * row_bytes));
                for (int64_t i = 0; i < rows; ++i)
                    quantize_row_reference(DType::Q8_0, t.values.data() + i * K, bytes.data() + i * row_bytes, K);
                r.type = DType::Q8_0;
                r.data = bytes.data();
                r.nbytes = static_cast<int64_t>(bytes.size());
                if (flat) r.row_length = K;
                if (flat && convs == Convs::ExpandedFlattenedF16) expand_to_f16(t.name, r);
                if (t.name.rfind("model.diffusion_model.", 0) == 0 && r.type == DType::Q8_0) ++unet_q8_0_;
            } else {
                r.type = DType::F32;
                r.data = t.values.data();
                r.nbytes = static_cast<int64_t>(t.values.size() * sizeof(float));
            }
            refs_[t.name] = r;
        }
    }
    WeightLookup lookup() const {
        return [this](const std::string& n) -> const WeightRef* {
            auto it = refs_.find(n);
            return it == refs_.end() ? nullptr : &it->second;
        };
    }
    const std::vector<TestTensor>& tensors() const { return tensors_; }
    int unet_q8_0() const { return unet_q8_0_; }

private:
    // The q8_0 weight r dequantized (exactly) and rounded to f16 once.
    void expand_to_f16(const std::string& name, WeightRef& r) {
        std::vector<float> values(static_cast<size_t>(r.elements()));
        dequantize_row_reference(DType::Q8_0, r.data, values.data(), r.elements());
        auto& half = bytes_[name + ".f16"];
        half.resize(values.size() * 2);
        for (size_t i = 0; i < values.size(); ++i) {
            const uint16_t h = f32_to_f16(values[i]);
            std::memcpy(half.data() + 2 * i, &h, 2);
        }
        r = WeightRef{DType::F16, r.shape, half.data(), static_cast<int64_t>(half.size())};
    }

    std::vector<TestTensor> tensors_;
    std::map<std::string, std::vector<uint8_t>> bytes_;
    std::map<std::string, WeightRef> refs_;
    int unet_q8_0_ = 0;
};

TEST(Int8Accuracy, WholeTinyUnetWithQ8_0WeightsStaysWithinTheDeepBound) {
    if (!cpu_variant_supported(SDN_CPU_VARIANT_AVX512_BF16) || !(cpu_info().features & SDN_CPU_AVX512_VNNI))
        GTEST_SKIP() << "this CPU (" << cpu_info().name << ") lacks AVX512-BF16 with VNNI, so q8_0 weights take no "
                     << "integer products here";
    Context f32{2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend};
    Context int8{2, SDN_CPU_VARIANT_AVX512_BF16, &cpu::make_cpu_backend};
    const Q8_0Weights mem{make_test_model_tensors(TestModelSpec{}, 7)};
    const auto unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
    const std::vector<float> a = unet_test::tiny_unet_eps(*unet, int8), b = unet_test::tiny_unet_eps(*unet, f32);
    ASSERT_EQ(a.size(), b.size());
    const int products = sdn_test::unet_products(mem.tensors()), int8_products = mem.unet_q8_0();
    ASSERT_GT(int8_products, 0) << "no UNet weight was stored as q8_0";
    const double bf16 = sdn_test::kBf16Rounding, quantized = 2 * sdn_test::kBf16Rounding;
    const double bound =
        2.0 * std::sqrt((products - int8_products) * bf16 * bf16 + int8_products * quantized * quantized);
    const double error = sdn_test::relative_rms(a, b);
    std::printf("tiny UNet, q8_0 (%d products, %d integer): relative RMS error %.3g, bound %.3g\n", products,
                int8_products, error, bound);
    EXPECT_GT(error, 0.0);
    EXPECT_LE(error, bound);
}

bool has_int8_products() {
    return cpu_variant_supported(SDN_CPU_VARIANT_AVX512_BF16) && (cpu_info().features & SDN_CPU_AVX512_VNNI);
}

TEST(Int8Accuracy, TinyUnetWithFlattenedQ8_0ConvsStaysWithinTheDeepBound) {
    if (!has_int8_products())
        GTEST_SKIP() << "this CPU (" << cpu_info().name << ") lacks AVX512-BF16 with VNNI, so q8_0 weights take no "
                     << "integer products here";
    // Convs take integer products only when asked (cpu/gemm_int8.h says why).
    const sdn_test::ScopedEnv int8_convs{"SDN_CPU_INT8_CONVS", "1"};
    Context f32{2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend};
    Context int8{2, SDN_CPU_VARIANT_AVX512_BF16, &cpu::make_cpu_backend};
    const Q8_0Weights linears{make_test_model_tensors(TestModelSpec{}, 7)};
    const Q8_0Weights mem{make_test_model_tensors(TestModelSpec{}, 7), Convs::FlattenedQ8_0};
    // Every conv but conv_in (rows of 4*3*3) is held as q8_0 rows of C*kh*kw.
    ASSERT_GT(mem.unet_q8_0(), linears.unet_q8_0() + 10);
    const auto unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
    // The float32 variant expands the q8_0 values exactly: the same weights in float32.
    const std::vector<float> a = unet_test::tiny_unet_eps(*unet, int8), b = unet_test::tiny_unet_eps(*unet, f32);
    ASSERT_EQ(a.size(), b.size());
    const int products = sdn_test::unet_products(mem.tensors()), int8_products = mem.unet_q8_0();
    const double bf16 = sdn_test::kBf16Rounding, quantized = 2 * sdn_test::kBf16Rounding;
    const double bound =
        2.0 * std::sqrt((products - int8_products) * bf16 * bf16 + int8_products * quantized * quantized);
    const double error = sdn_test::relative_rms(a, b);
    std::printf("tiny UNet, q8_0 convs as rows of C*k*k (%d products, %d integer): relative RMS error %.3g, bound %.3g\n",
                products, int8_products, error, bound);
    EXPECT_GT(error, 0.0);
    EXPECT_LE(error, bound);
}

// On a float32 variant a conv kept as q8_0 rows computes what the loader's former f16
// expansion of the same blocks computed, but for that expansion's rounding: f16 holds 11
// significant bits, so each expanded weight moved by at most 2^-11 relative (the q8_0 values
// themselves, an int8 times an f16 scale, are exact in float32). Weight errors of random sign
// add in quadrature over a layer's products and between layers, like the bf16 bound's, at an
// eighth of its per-product size.
TEST(Int8Accuracy, FlattenedQ8_0ConvsOnFloat32ProductsMatchTheirF16ExpansionWithinItsRounding) {
    Context f32{2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend};
    const Q8_0Weights kept{make_test_model_tensors(TestModelSpec{}, 7), Convs::FlattenedQ8_0};
    const Q8_0Weights expanded{make_test_model_tensors(TestModelSpec{}, 7), Convs::ExpandedFlattenedF16};
    const auto a_unet = UnetModel::load(kept.lookup(), "model.diffusion_model.", nullptr);
    const auto b_unet = UnetModel::load(expanded.lookup(), "model.diffusion_model.", nullptr);
    const std::vector<float> a = unet_test::tiny_unet_eps(*a_unet, f32), b = unet_test::tiny_unet_eps(*b_unet, f32);
    ASSERT_EQ(a.size(), b.size());
    const int convs = kept.unet_q8_0() - expanded.unet_q8_0();
    ASSERT_GT(convs, 10);
    const double f16 = sdn_test::kBf16Rounding / 8;  // 2^-11 against bf16's 2^-8
    const double bound = 2.0 * std::sqrt(convs * f16 * f16);
    const double error = sdn_test::relative_rms(a, b);
    std::printf("tiny UNet, q8_0 convs kept vs expanded to f16 (%d convs): relative RMS error %.3g, bound %.3g\n",
                convs, error, bound);
    EXPECT_GT(error, 0.0);  // the expansion did round
    EXPECT_LE(error, bound);
}

}  // namespace
