// numpy's SeedSequence against numpy's own outputs (the torchsde vectors file) and the
// entropy layout derived by hand from its padding rule.
#include "sample/seed_sequence.h"

#include <gtest/gtest.h>

#include <vector>

#include "brownian_tree_vectors.h"

namespace {

using sdn::SeedSequence;
using sdn_test::as_u64;
using sdn_test::field;

std::vector<uint32_t> u32s(const sdn::json::Value& list) {
    std::vector<uint32_t> out;
    for (const auto& v : list.array) out.push_back(static_cast<uint32_t>(as_u64(v)));
    return out;
}

TEST(SeedSequence, EntropyWordsArePaddedToThePoolBeforeASpawnKey) {
    EXPECT_EQ(SeedSequence::assembled_entropy(0, {}), (std::vector<uint32_t>{0}));
    EXPECT_EQ(SeedSequence::assembled_entropy(42, {}), (std::vector<uint32_t>{42}));
    EXPECT_EQ(SeedSequence::assembled_entropy(~uint64_t{0}, {}), (std::vector<uint32_t>{0xffffffffu, 0xffffffffu}));
    EXPECT_EQ(SeedSequence::assembled_entropy((uint64_t{1} << 32) + 42, {}), (std::vector<uint32_t>{42, 1}));
    std::vector<uint32_t> keyed(24, 0);
    keyed[0] = 42;
    keyed.push_back(5);
    keyed.push_back(3);
    EXPECT_EQ(SeedSequence::assembled_entropy(42, {5, 3}), keyed);
    // A key element of 2^32 or more takes two words of its own.
    EXPECT_EQ(SeedSequence::assembled_entropy(7, {uint64_t{1} << 32, 0}).size(), 24u + 3u);
}

TEST(SeedSequence, DifferentKeysGiveDifferentStreams) {
    const auto a = SeedSequence(42, {0, 0}).generate_state(4);
    const auto b = SeedSequence(42, {0, 1}).generate_state(4);
    const auto c = SeedSequence(42).generate_state(4);
    EXPECT_NE(a, b);
    EXPECT_NE(a, c);
    // generate_state(n) is a prefix of generate_state(n + k).
    const auto longer = SeedSequence(42, {0, 0}).generate_state(30);
    EXPECT_EQ(std::vector<uint32_t>(longer.begin(), longer.begin() + 4), a);
}

TEST(SeedSequence, MatchesNumpyOnEveryReferenceVector) {
    SDN_REQUIRE_BROWNIAN_VECTORS(vectors);
    const auto& list = field(vectors, "seedsequence_vectors").array;
    ASSERT_GE(list.size(), 24u);
    for (const auto& v : list) {
        const uint64_t entropy = as_u64(field(v, "entropy"));
        std::vector<uint64_t> key;
        for (const auto& k : field(v, "spawn_key").array) key.push_back(as_u64(k));
        SCOPED_TRACE("entropy " + std::to_string(entropy) + " key size " + std::to_string(key.size()));
        ASSERT_EQ(as_u64(field(v, "pool_size")), 24u);
        const std::vector<uint32_t> want = u32s(field(v, "generate_state"));
        const SeedSequence seq(entropy, key);
        EXPECT_EQ(seq.generate_state(static_cast<int>(want.size())), want);
        if (const auto* pool = v.find("pool_u32")) {
            const std::vector<uint32_t> want_pool = u32s(*pool);
            EXPECT_EQ(std::vector<uint32_t>(seq.pool().begin(), seq.pool().end()), want_pool);
        }
        if (const auto* words = v.find("assembled_entropy_u32"))
            EXPECT_EQ(SeedSequence::assembled_entropy(entropy, key), u32s(*words));
    }
}

}  // namespace
