// The little Unicode the CLIP tokenizer needs: UTF-8 decoding/encoding, the letter / number /
// whitespace / control classes its pre-split regex and text cleanup use, and Python's
// str.lower() for single code points. The class tables are generated from Python's
// unicodedata (clip_unicode_tables.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sdn::clip_unicode {

struct CodeRange {
    uint32_t first, last;
};
// Code points first, first+stride, ... <= last lower-case to cp + delta.
struct LowerRun {
    uint32_t first, last;
    int32_t delta;
    int32_t stride;
};

struct CodeMap {
    uint32_t from, to;
};
struct CodePair {
    uint32_t first, second, composed;
};

extern const CodeRange kLetterRanges[];
extern const size_t kLetterRanges_count;
extern const CodeRange kNumberRanges[];
extern const size_t kNumberRanges_count;
extern const CodeRange kSpaceSeparatorRanges[];
extern const size_t kSpaceSeparatorRanges_count;
extern const CodeRange kControlRanges[];
extern const size_t kControlRanges_count;
extern const LowerRun kLowerRuns[];
extern const size_t kLowerRuns_count;
extern const CodeMap kNfcSingletons[];
extern const size_t kNfcSingletons_count;
extern const CodePair kNfcPairs[];
extern const size_t kNfcPairs_count;

bool is_letter(uint32_t cp);   // \p{L}
bool is_number(uint32_t cp);   // \p{N}
bool is_whitespace(uint32_t cp);  // Python str.isspace()
bool is_control(uint32_t cp);  // categories Cc and Cf
// CJK ideograph blocks that BERT-style cleanup surrounds with spaces.
bool is_cjk_ideograph(uint32_t cp);
// Appends Python's chr(cp).lower() (one code point, except U+0130 which gives two).
void append_lower(uint32_t cp, std::vector<uint32_t>& out);

// Unicode NFC for the common cases: canonical singletons (e.g. ANGSTROM SIGN -> A WITH RING),
// a character followed directly by a combining mark that composes with it (e + U+0301 -> é,
// repeatedly), and Hangul syllables from conjoining jamo. Combining-mark reordering and
// composition across an intervening mark are not done.
std::vector<uint32_t> compose_nfc(const std::vector<uint32_t>& text);

// Decodes UTF-8; malformed bytes decode to U+FFFD.
std::vector<uint32_t> decode_utf8(const std::string& s);
void append_utf8(uint32_t cp, std::string& out);

}  // namespace sdn::clip_unicode
