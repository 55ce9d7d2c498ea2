#include "model/taesd_test_writer.h"

#include <cmath>
#include <random>

namespace sdn {

namespace {

// Convolutions with weights uniform in +-sqrt(6 / fan_in) (about unit variance through each
// conv + ReLU pair) and biases in +-0.1, from the generator's raw bits (std distributions
// differ between standard libraries; the files must not).
class ConvWriter {
public:
    ConvWriter(uint64_t seed, std::string prefix) : bits_(seed), prefix_(std::move(prefix)) {}

    void conv(const std::string& name, int64_t out, int64_t in, bool bias) {
        TestTensor w;
        w.name = prefix_ + name + ".weight";
        w.shape = {out, in, 3, 3};
        const float a = std::sqrt(6.0f / static_cast<float>(in * 9));
        for (int64_t k = 0; k < out * in * 9; ++k) w.values.push_back(uniform(a));
        tensors.push_back(std::move(w));
        if (!bias) return;
        TestTensor b;
        b.name = prefix_ + name + ".bias";
        b.shape = {out};
        for (int64_t k = 0; k < out; ++k) b.values.push_back(uniform(0.1f));
        tensors.push_back(std::move(b));
    }
    void block(int index, int64_t width) {
        for (int k : {0, 2, 4}) conv(std::to_string(index) + ".conv." + std::to_string(k), width, width, true);
    }

    std::vector<TestTensor> tensors;

private:
    float uniform(float a) {
        return a * (static_cast<float>((bits_() >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f);
    }
    std::mt19937_64 bits_;
    std::string prefix_;
};

}  // namespace

std::vector<TestTensor> make_test_taesd_tensors(int64_t width, int64_t latent_channels,
                                                uint64_t seed, const std::string& prefix) {
    ConvWriter w(seed, prefix);
    w.conv("1", width, latent_channels, true);
    for (int index : {3, 4, 5, 7, 8, 9, 10, 12, 13, 14, 15, 17, 18}) {
        if (index == 7 || index == 12 || index == 17)
            w.conv(std::to_string(index), width, width, false);  // after each nearest x2
        else
            w.block(index, width);
    }
    w.conv("19", 3, width, true);
    return w.tensors;
}

std::vector<TestTensor> make_test_taesd_encoder_tensors(int64_t width, int64_t latent_channels,
                                                        uint64_t seed, const std::string& prefix) {
    ConvWriter w(seed, prefix);
    w.conv("0", width, 3, true);
    for (int index = 1; index <= 13; ++index) {
        if (index == 2 || index == 6 || index == 10)
            w.conv(std::to_string(index), width, width, false);  // stride 2
        else
            w.block(index, width);
    }
    w.conv("14", latent_channels, width, true);
    return w.tensors;
}

}  // namespace sdn
