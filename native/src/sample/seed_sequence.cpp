#include "seed_sequence.h"

#include <cstddef>

namespace sdn {

namespace {

constexpr uint32_t kInitA = 0x43b0d7e5u;
constexpr uint32_t kMultA = 0x931e8875u;
constexpr uint32_t kInitB = 0x8b51f9ddu;
constexpr uint32_t kMultB = 0x58f38dedu;
constexpr uint32_t kMixMultL = 0xca01f9ddu;
constexpr uint32_t kMixMultR = 0x4973f715u;

// numpy's _int_to_uint32_array: little-endian 32-bit words, at least one (0 -> [0]).
void append_words(std::vector<uint32_t>& out, uint64_t n) {
    do {
        out.push_back(static_cast<uint32_t>(n & 0xffffffffu));
        n >>= 32;
    } while (n != 0);
}

// hashmix with its running multiplier; one instance threads through all of mix_entropy.
class HashMix {
public:
    uint32_t operator()(uint32_t value) {
        value ^= hash_const_;
        hash_const_ *= kMultA;
        value *= hash_const_;
        value ^= value >> 16;
        return value;
    }

private:
    uint32_t hash_const_ = kInitA;
};

uint32_t mix(uint32_t x, uint32_t y) {
    uint32_t r = kMixMultL * x - kMixMultR * y;
    r ^= r >> 16;
    return r;
}

}  // namespace

std::vector<uint32_t> SeedSequence::assembled_entropy(uint64_t entropy, const std::vector<uint64_t>& spawn_key) {
    std::vector<uint32_t> words;
    append_words(words, entropy);
    if (!spawn_key.empty()) {
        // The padding keeps (seed, key) from colliding with a longer seed that has no key.
        if (words.size() < static_cast<std::size_t>(kPoolSize)) words.resize(kPoolSize, 0u);
        for (uint64_t k : spawn_key) append_words(words, k);
    }
    return words;
}

SeedSequence::SeedSequence(uint64_t entropy, const std::vector<uint64_t>& spawn_key) {
    const std::vector<uint32_t> words = assembled_entropy(entropy, spawn_key);
    HashMix hashmix;
    for (std::size_t i = 0; i < pool_.size(); ++i) pool_[i] = hashmix(i < words.size() ? words[i] : 0u);
    for (std::size_t src = 0; src < pool_.size(); ++src)
        for (std::size_t dst = 0; dst < pool_.size(); ++dst)
            if (src != dst) pool_[dst] = mix(pool_[dst], hashmix(pool_[src]));
    for (std::size_t src = pool_.size(); src < words.size(); ++src)
        for (std::size_t dst = 0; dst < pool_.size(); ++dst) pool_[dst] = mix(pool_[dst], hashmix(words[src]));
}

std::vector<uint32_t> SeedSequence::generate_state(int n) const {
    std::vector<uint32_t> state(static_cast<std::size_t>(n > 0 ? n : 0));
    uint32_t hash_const = kInitB;
    for (std::size_t i = 0; i < state.size(); ++i) {
        uint32_t v = pool_[i % pool_.size()];
        v ^= hash_const;
        hash_const *= kMultB;
        v *= hash_const;
        v ^= v >> 16;
        state[i] = v;
    }
    return state;
}

}  // namespace sdn
