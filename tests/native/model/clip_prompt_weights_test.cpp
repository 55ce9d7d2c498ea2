// ComfyUI prompt weighting and chunking. Parser expectations are derived by hand from the
// rules in the ComfyUI compatibility spec (section 1.2); chunk tables come from the independent
// Python reference (tests/native/model/tools/clip_bpe_reference.py --chunks), not from the
// code under test.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "model/clip_prompt_weights.h"
#include "model/clip_tokenizer.h"
#include "support/shared_dir.h"

namespace {

using sdn::parse_prompt_weights;
using sdn::WeightedSegment;

struct Expected {
    std::string text;
    double weight;
};

void expect_segments(const std::string& prompt, const std::vector<Expected>& expected) {
    std::vector<WeightedSegment> got = parse_prompt_weights(prompt);
    ASSERT_EQ(got.size(), expected.size()) << prompt;
    for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].text, expected[i].text) << prompt << " segment " << i;
        EXPECT_NEAR(got[i].weight, expected[i].weight, 1e-12) << prompt << " segment " << i;
    }
}

TEST(ClipPromptWeights, PlainTextIsOneSegmentAtOne) {
    expect_segments("a photo of a cat", {{"a photo of a cat", 1.0}});
    expect_segments("", {});
    expect_segments("[square] brackets", {{"[square] brackets", 1.0}});
}

TEST(ClipPromptWeights, NestingMultipliesByOnePointOne) {
    expect_segments("a (b) ((c)) (((d)))",
                    {{"a ", 1.0}, {"b", 1.1}, {" ", 1.0}, {"c", 1.1 * 1.1}, {" ", 1.0},
                     {"d", 1.1 * 1.1 * 1.1}});
}

TEST(ClipPromptWeights, ExplicitWeightIsAbsoluteAndInnerGroupsMultiplyFromIt) {
    expect_segments("((a):1.3)", {{"a", 1.43}});
    expect_segments("((a:1.3))", {{"a", 1.3}});
    expect_segments("(a (b) c:0.5)", {{"a ", 0.5}, {"b", 0.55}, {" c", 0.5}});
    expect_segments("x (y:1e-1) z", {{"x ", 1.0}, {"y", 0.1}, {" z", 1.0}});
    expect_segments("(a:1.2:1.3)", {{"a:1.2", 1.3}});  // the last colon counts
    expect_segments("(a: 1.5 )", {{"a", 1.5}});        // float() strips spaces
    expect_segments("(a:1_0)", {{"a", 10.0}});          // float() accepts 1_0
    expect_segments("(a:-.5)", {{"a", -0.5}});
}

TEST(ClipPromptWeights, InvalidWeightKeepsTheColonAtOnePointOne) {
    expect_segments("(a:b)", {{"a:b", 1.1}});
    expect_segments("(:1.3)", {{":1.3", 1.1}});  // colon at the first character
    expect_segments("(a:1__0)", {{"a:1__0", 1.1}});
    expect_segments("(a:)", {{"a:", 1.1}});
    expect_segments("(a:1.)", {{"a", 1.0}});  // "1." is a float
}

TEST(ClipPromptWeights, UnbalancedParenthesesAreLiteral) {
    expect_segments("a)b(c)", {{"a)b(c)", 1.0}});
    expect_segments("a)(b)", {{"a)(b)", 1.0}});
    expect_segments("(a", {{"(a", 1.0}});
    expect_segments("x (a", {{"x ", 1.0}, {"(a", 1.0}});
    // "((a)" is closed as a whole group whose inner "(a" has no closing parenthesis.
    expect_segments("((a)", {{"(a", 1.1}});
}

TEST(ClipPromptWeights, EscapedParenthesesAreLiteral) {
    expect_segments("\\(a\\)", {{"(a)", 1.0}});
    expect_segments("(\\(a\\):1.2)", {{"(a)", 1.2}});
    expect_segments("\\((b)", {{"(", 1.0}, {"b", 1.1}});
}

TEST(ClipPromptWeights, PythonFloatGrammar) {
    double v = 0;
    EXPECT_TRUE(sdn::parse_python_float("1e-1", &v));
    EXPECT_DOUBLE_EQ(v, 0.1);
    EXPECT_TRUE(sdn::parse_python_float(" +2.5E2\n", &v));
    EXPECT_DOUBLE_EQ(v, 250.0);
    EXPECT_TRUE(sdn::parse_python_float("Infinity", &v));
    EXPECT_TRUE(std::isinf(v));
    EXPECT_TRUE(sdn::parse_python_float("nan", &v));
    EXPECT_TRUE(std::isnan(v));
    for (const char* bad : {"", " ", "e5", "1e", "_1", "1_", ".", "1.2.3", "0x10", "1 2", "--1"})
        EXPECT_FALSE(sdn::parse_python_float(bad, &v)) << bad;
}

// ------------------------------------------------------------------ chunking

struct ChunkRow {
    std::vector<int32_t> ids;
    std::vector<double> weights;
    int trailing_end_tokens;  // pads (the end token, weight 1) after the listed ids
};
struct ChunkCase {
    const char* text;
    std::vector<ChunkRow> rows;
};

// clang-format off
const ChunkCase kChunkCases[] = {
    {"a (cat:1.3) on a ((mat))", {
        {{49406, 320, 2368, 525, 320, 9063}, {1.0, 1.0, 1.3, 1.0, 1.0, 1.2100000000000002}, 71},
    }},
    {"\\(literal\\) (x)", {
        {{49406, 263, 24269, 264, 343}, {1.0, 1.0, 1.0, 1.0, 1.1}, 72},
    }},
    {"a embedding:foo, bar", {
        {{49406, 320, 267, 2411}, {1.0, 1.0, 1.0, 1.0}, 73},
    }},
    {"a embedding:foo", {
        {{49406, 320}, {1.0, 1.0}, 75},
    }},
    {"one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twentyone twentytwo twentythree twentyfour twentyfive twentysix twentyseven twentyeight twentynine thirty thirtyone thirtytwo thirtythree", {
        {{49406, 637, 1237, 2097, 2721, 3127, 4093, 5757, 7910, 7330, 2581, 17795, 19694, 34209, 46255, 29504, 28677, 19337, 49316, 16213, 4697, 13016, 27027, 88, 637, 27027, 88, 1237, 27027, 88, 2097, 27027, 88, 2721, 27027, 88, 3127, 27027, 88, 4093, 27027, 88, 5757, 27027, 693, 897, 27027, 2823, 715, 20813, 6030, 1260, 637, 6030, 1260, 1237, 6030, 1260, 2097}, {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, 18},
    }},
    {"a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q r s t u v (w x) y z", {
        {{49406, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340, 341, 342, 343, 344, 345, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340, 341, 342, 343, 344, 345, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340, 341}, {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, 2},
        {{49406, 342, 343, 344, 345}, {1.0, 1.1, 1.1, 1.0, 1.0}, 72},
    }},
    {"a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q r s t u (v w x y z 1 2 3 4 5)", {
        {{49406, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340, 341, 342, 343, 344, 345, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340, 341, 342, 343, 344, 345, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340, 341, 342}, {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.1}, 1},
        {{49406, 343, 344, 345, 272, 273, 274, 275, 276}, {1.0, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1}, 68},
    }},
};
// clang-format on

TEST(ClipPromptChunks, MatchTheReferenceTables) {
    SDN_REQUIRE_SHARED_DIR(shared);
    auto tok = sdn::ClipTokenizer::from_bpe_file(shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz");
    for (const ChunkCase& c : kChunkCases) {
        sdn::ClipTokenChunks got = sdn::tokenize_clip_prompt(*tok, c.text);
        ASSERT_EQ(got.chunks, static_cast<int64_t>(c.rows.size())) << c.text;
        std::vector<int32_t> ids;
        std::vector<float> weights;
        for (const ChunkRow& r : c.rows) {
            ASSERT_EQ(r.ids.size() + static_cast<size_t>(r.trailing_end_tokens), 77u);
            ids.insert(ids.end(), r.ids.begin(), r.ids.end());
            for (double w : r.weights) weights.push_back(static_cast<float>(w));
            ids.insert(ids.end(), static_cast<size_t>(r.trailing_end_tokens), 49407);
            weights.insert(weights.end(), static_cast<size_t>(r.trailing_end_tokens), 1.0f);
        }
        EXPECT_EQ(got.ids, ids) << c.text;
        EXPECT_EQ(got.weights, weights) << c.text;
    }
}

TEST(ClipPromptChunks, EmptyPromptIsStartEndAndPads) {
    SDN_REQUIRE_SHARED_DIR(shared);
    auto tok = sdn::ClipTokenizer::from_bpe_file(shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz");
    sdn::ClipTokenChunks got = sdn::tokenize_clip_prompt(*tok, "");
    ASSERT_EQ(got.chunks, 1);
    std::vector<int32_t> expected(77, 49407);
    expected[0] = 49406;
    EXPECT_EQ(got.ids, expected);
    EXPECT_FALSE(got.has_weights());
}

TEST(ClipPromptChunks, IgnoredEmbeddingIsReported) {
    SDN_REQUIRE_SHARED_DIR(shared);
    auto tok = sdn::ClipTokenizer::from_bpe_file(shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz");
    sdn::ClipTokenChunks got = sdn::tokenize_clip_prompt(*tok, "a embedding:foo");
    ASSERT_EQ(got.warnings.size(), 1u);
    EXPECT_NE(got.warnings[0].find("foo"), std::string::npos);
}

}  // namespace
