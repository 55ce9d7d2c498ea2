// numpy's SeedSequence (numpy.random.bit_generator), the part torchsde uses to give every
// node of its Brownian tree its own seed: entropy = the KSampler seed, an optional spawn key
// (the node's (key, depth)), pool size 24, and generate_state(n) as uint32 words.
//
// The algorithm: the entropy and spawn key are split into little-endian 32-bit words; the
// seed's words are zero-padded to the pool size when a spawn key follows; each word is
// hashed into a 24-word pool, the pool words are mixed with each other, any words beyond the
// pool are mixed in, and generate_state hashes the pool again with a second running constant.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace sdn {

class SeedSequence {
public:
    static constexpr int kPoolSize = 24;

    SeedSequence(uint64_t entropy, const std::vector<uint64_t>& spawn_key = {});

    // generate_state(n, dtype=uint32).
    std::vector<uint32_t> generate_state(int n) const;

    // The mixed pool and the assembled entropy words, for tests.
    const std::array<uint32_t, kPoolSize>& pool() const { return pool_; }
    static std::vector<uint32_t> assembled_entropy(uint64_t entropy, const std::vector<uint64_t>& spawn_key);

private:
    std::array<uint32_t, kPoolSize> pool_{};
};

}  // namespace sdn
