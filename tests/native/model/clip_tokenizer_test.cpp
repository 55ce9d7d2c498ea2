// CLIP tokenizer against literal id tables. The tables were produced by an independent Python
// implementation (tests/native/model/tools/clip_bpe_reference.py, run with the shared
// bpe_simple_vocab_16e6.txt.gz), never by the code under test; the first rows also match
// well-known CLIP ids (a = 320, photo = 1125, of = 539, cat = 2368).
// The reference applies Python's full NFC; the engine composes the common cases (rows with
// combining marks, singletons and Hangul jamo check them).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/clip_tokenizer.h"
#include "support/shared_dir.h"

namespace {

struct TokenCase {
    const char* text;
    std::vector<int32_t> ids;
};

// clang-format off
const TokenCase kCases[] = {
    {"a photo of a cat", {320, 1125, 539, 320, 2368}},
    {"A Photo Of A CAT", {320, 1125, 539, 320, 2368}},
    {"don't stop", {847, 713, 1691}},
    {"I'm here, you're there, we've been, they'll go, she'd say, it's", {328, 880, 763, 267, 592, 982, 997, 267, 649, 1200, 1025, 267, 889, 1342, 861, 267, 1043, 1896, 1451, 267, 585, 568}},
    {"rock'n'roll", {2172, 262, 333, 262, 3341}},
    {"''s quotes 's", {8445, 338, 5808, 568}},
    {"1234", {272, 273, 274, 275}},
    {"year 2024: 3.14159", {935, 273, 271, 273, 275, 281, 274, 269, 272, 275, 272, 276, 280}},
    {"caf\u00e9 na\u00efve \u00fcber stra\u00dfe", {15304, 1097, 35689, 563, 6522, 1516, 1894, 127, 253, 324}},
    {"\u00c9COLE \u00c0 PARIS", {3459, 8166, 21259, 3445}},
    {"\u4e2d\u6587\u5b57", {19759, 511, 29032, 485, 35751, 501}},
    {"\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8", {37156, 19277, 361, 34002, 508, 21575, 2429, 228, 47121, 32421, 486}},
    {"emoji \U0001f600\U0001f389 party", {16327, 12832, 3986, 1580}},
    {"family \U0001f468\u200d\U0001f469\u200d\U0001f467", {1315, 18966, 18800, 964, 356}},
    {"heart \u2764\ufe0f love", {1936, 1752, 793}},
    {"multiple    spaces\n\nand\ttabs", {6470, 9006, 537, 29163}},
    {"  leading and trailing   ", {3833, 537, 37427}},
    {"", {}},
    {"hello!!! what??? ...", {3306, 995, 768, 3824, 678}},
    {"masterpiece, best quality, (ultra-detailed:1.2)", {12066, 267, 949, 3027, 267, 263, 8118, 268, 12609, 281, 272, 269, 273, 264}},
    {"a_b-c.d/e\\f", {320, 318, 321, 268, 322, 269, 323, 270, 324, 315, 325}},
    {"<|endoftext|>inside<|startoftext|>", {49407, 2912, 49406}},
    {"x<|ENDOFTEXT|>y", {343, 49407, 344}},
    {"\u00b2 \u00bd \u2167 \u2460", {41175, 33613, 158, 227, 371, 158, 239, 510}},
    {"\u0416\u0438\u0432\u043e\u0439 \u041c\u0418\u0420", {140, 114, 29503, 110, 20978, 373, 38018, 16701, 141, 478}},
    {"\u0627\u0644\u0639\u0631\u0628\u064a\u0629", {12973, 18843, 10948, 16378, 12046, 20915}},
    {"soft\u00adhyphen and zero\u200bwidth", {1571, 7804, 745, 576, 537, 14867, 23571}},
    {"non\u00a0breaking space", {3353, 2755, 2138}},
    {"&amp; &lt;tag&gt;", {261, 6259, 282, 261, 3333, 282, 3640, 261, 4725, 282}},
    {"\u00c5ngstr\u00f6m \u0130stanbul", {23176, 10352, 807, 7255, 332, 328, 16384, 11231}},
    {"[bracket] {brace|alt} <angle>", {314, 14780, 316, 346, 9183, 347, 10006, 348, 283, 6946, 285}},
    {"#hashtag @mention $100 50%", {258, 9238, 287, 6762, 259, 272, 271, 271, 276, 271, 260}},
    {"supercalifragilisticexpialidocious", {1642, 2857, 13093, 2076, 5868, 26850, 835, 639, 38466}},
    {"www.example.com/path?q=1", {9667, 269, 6228, 269, 2464, 270, 5035, 286, 336, 284, 272}},
    {"ca\u0301fe combining", {66, 7261, 873, 23561}},
    {"\u212b unit and \u2126 ohm", {127, 354, 5695, 537, 38065, 5648, 332}},
    {"\u1100\u1161\u11a8 hangul jamo", {21122, 479, 1545, 21350, 1434, 334}},
    {"u\u0308\u0304 twice", {131, 500, 6970}},
    {"\u039f\u0394\u039f\u03a3 \u03a3 \u03a3\u0391\u03a3. \u0391\u03a3\u0391", {138, 123, 138, 112, 138, 123, 139, 480, 139, 481, 139, 225, 138, 109, 139, 480, 269, 138, 109, 139, 225, 138, 365}},
};
// clang-format on

std::string vocab_path(const std::string& shared) {
    return shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz";
}

TEST(ClipTokenizer, EncodesHardPromptsLikeTheReference) {
    SDN_REQUIRE_SHARED_DIR(shared);
    auto tok = sdn::ClipTokenizer::from_bpe_file(vocab_path(shared));
    EXPECT_EQ(tok->vocab_size(), 49408u);
    EXPECT_EQ(tok->start_id(), 49406);
    EXPECT_EQ(tok->end_id(), 49407);
    EXPECT_GE(sizeof(kCases) / sizeof(kCases[0]), 30u);
    for (const TokenCase& c : kCases) EXPECT_EQ(tok->encode(c.text), c.ids) << c.text;
}

TEST(ClipTokenizer, ReadsAnUncompressedVocabularyToo) {
    SDN_REQUIRE_SHARED_DIR(shared);
    auto gz = sdn::ClipTokenizer::from_bpe_file(vocab_path(shared));
    // Write the merges back as a plain text file with a header line.
    auto dir = std::filesystem::temp_directory_path() / ("sdn_clip_tok_plain_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string path = (dir / "bpe_simple_vocab_16e6.txt").string();
    {
        std::ofstream out(path, std::ios::binary);
        out << "\"bpe_simple_vocab_16e6.txt#version: 0.2\r\n";
        for (const std::string& m : gz->merges()) out << m << "\r\n";
    }
    auto plain = sdn::ClipTokenizer::from_bpe_file(path);
    EXPECT_EQ(plain->vocab_size(), 49408u);
    EXPECT_EQ(plain->encode("a photo of a cat"), (std::vector<int32_t>{320, 1125, 539, 320, 2368}));
    std::filesystem::remove_all(dir);
}

// The 256 byte characters in CLIP's vocabulary order, written from the GPT-2/CLIP rule:
// printable Latin-1 bytes keep their code point, the rest get 256.. in byte order.
std::vector<std::string> byte_symbols_in_vocab_order() {
    auto utf8 = [](unsigned cp) {
        std::string s;
        if (cp < 0x80) {
            s += char(cp);
        } else {
            s += char(0xC0 | (cp >> 6));
            s += char(0x80 | (cp & 0x3F));
        }
        return s;
    };
    std::vector<std::string> printable, rest;
    unsigned n = 0;
    for (unsigned b = 0; b < 256; ++b) {
        bool p = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
        if (p) printable.push_back(utf8(b));
        else rest.push_back(utf8(256 + n++));
    }
    printable.insert(printable.end(), rest.begin(), rest.end());
    return printable;
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

TEST(ClipTokenizer, LoadsHuggingFaceVocabJsonAndMerges) {
    // A tiny vocabulary: byte symbols, their </w> forms, two merges, specials -- with ids in
    // reverse order so the file's ids (not a derived order) must be used.
    std::vector<std::string> vocab = byte_symbols_in_vocab_order();
    size_t nbytes = vocab.size();
    for (size_t i = 0; i < nbytes; ++i) vocab.push_back(vocab[i] + "</w>");
    vocab.push_back("ca");
    vocab.push_back("cat</w>");
    vocab.push_back("<|startoftext|>");
    vocab.push_back("<|endoftext|>");
    const int32_t n = static_cast<int32_t>(vocab.size());
    auto id_of = [&](size_t index) { return n - 1 - static_cast<int32_t>(index); };

    auto dir = std::filesystem::temp_directory_path() / ("sdn_clip_tok_hf_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream v(dir / "vocab.json", std::ios::binary);
        v << "{";
        for (size_t i = 0; i < vocab.size(); ++i)
            v << (i ? ", " : "") << "\"" << json_escape(vocab[i]) << "\": " << id_of(i);
        v << "}";
        std::ofstream m(dir / "merges.txt", std::ios::binary);
        m << "#version: 0.2\nc a\nca t</w>\n";
    }
    auto tok = sdn::ClipTokenizer::from_hf_files((dir / "vocab.json").string(),
                                                 (dir / "merges.txt").string());
    EXPECT_EQ(tok->start_id(), id_of(vocab.size() - 2));
    EXPECT_EQ(tok->end_id(), id_of(vocab.size() - 1));
    // "cat" -> c a t</w> -> ca t</w> -> cat</w>; "tac" -> t a c</w> (no merge applies).
    auto index = [&](const std::string& s) {
        for (size_t i = 0; i < vocab.size(); ++i)
            if (vocab[i] == s) return id_of(i);
        return -1;
    };
    EXPECT_EQ(tok->encode("Cat"), (std::vector<int32_t>{index("cat</w>")}));
    EXPECT_EQ(tok->encode("tac"), (std::vector<int32_t>{index("t"), index("a"), index("c</w>")}));
    std::filesystem::remove_all(dir);
}

TEST(ClipTokenizer, LoadsFromGgufMetadata) {
    sdn::MetaValue merges;
    merges.kind = sdn::MetaValue::Kind::Array;
    merges.array_kind = sdn::MetaValue::Kind::String;
    for (const char* m : {"c a", "ca t</w>"}) {
        sdn::MetaValue s;
        s.kind = sdn::MetaValue::Kind::String;
        s.s = m;
        merges.array.push_back(s);
    }
    std::map<std::string, sdn::MetaValue> meta;
    EXPECT_EQ(sdn::ClipTokenizer::from_gguf_metadata(meta), nullptr);
    meta[sdn::kGgufClipMergesKey] = merges;
    auto tok = sdn::ClipTokenizer::from_gguf_metadata(meta);
    ASSERT_NE(tok, nullptr);
    // Derived vocabulary: 512 byte entries, "ca" = 512, "cat</w>" = 513, then the specials.
    EXPECT_EQ(tok->vocab_size(), 516u);
    EXPECT_EQ(tok->start_id(), 514);
    EXPECT_EQ(tok->end_id(), 515);
    EXPECT_EQ(tok->encode("cat"), (std::vector<int32_t>{513}));
    // 'c' is byte 0x63, the 67th printable byte (0x21..0x7E come first): id 0x63 - 0x21 = 66.
    EXPECT_EQ(tok->encode("c"), (std::vector<int32_t>{256 + 66}));

    sdn::MetaValue wrong;
    wrong.kind = sdn::MetaValue::Kind::String;
    meta[sdn::kGgufClipMergesKey] = wrong;
    try {
        sdn::ClipTokenizer::from_gguf_metadata(meta);
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
    }
}

TEST(ClipTokenizer, MissingFileIsAnIoError) {
    try {
        sdn::ClipTokenizer::from_bpe_file("/nonexistent/dir/bpe_simple_vocab_16e6.txt.gz");
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_IO);
    }
}

}  // namespace
