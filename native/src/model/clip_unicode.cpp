#include "model/clip_unicode.h"

#include "core/utf8.h"

#include <algorithm>
#include <utility>

namespace sdn::clip_unicode {

namespace {

bool in_ranges(const CodeRange* ranges, size_t count, uint32_t cp) {
    const CodeRange* end = ranges + count;
    const CodeRange* it = std::upper_bound(
        ranges, end, cp, [](uint32_t v, const CodeRange& r) { return v < r.first; });
    if (it == ranges) return false;
    --it;
    return cp <= it->last;
}

}  // namespace

bool is_letter(uint32_t cp) { return in_ranges(kLetterRanges, kLetterRanges_count, cp); }
bool is_number(uint32_t cp) { return in_ranges(kNumberRanges, kNumberRanges_count, cp); }

bool is_whitespace(uint32_t cp) {
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F) || cp == 0x85 ||
        cp == 0x2028 || cp == 0x2029)
        return true;
    return in_ranges(kSpaceSeparatorRanges, kSpaceSeparatorRanges_count, cp);
}

bool is_control(uint32_t cp) { return in_ranges(kControlRanges, kControlRanges_count, cp); }

bool is_cjk_ideograph(uint32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
           (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

void append_lower(uint32_t cp, std::vector<uint32_t>& out) {
    if (cp < 0x80) {
        out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        return;
    }
    if (cp == 0x130) {  // LATIN CAPITAL I WITH DOT ABOVE lowers to "i" + COMBINING DOT ABOVE
        out.push_back('i');
        out.push_back(0x307);
        return;
    }
    const LowerRun* end = kLowerRuns + kLowerRuns_count;
    const LowerRun* it = std::upper_bound(
        kLowerRuns, end, cp, [](uint32_t v, const LowerRun& r) { return v < r.first; });
    if (it != kLowerRuns) {
        --it;
        if (cp <= it->last && (cp - it->first) % static_cast<uint32_t>(it->stride) == 0) {
            out.push_back(static_cast<uint32_t>(static_cast<int64_t>(cp) + it->delta));
            return;
        }
    }
    out.push_back(cp);
}

std::vector<uint32_t> compose_nfc(const std::vector<uint32_t>& text) {
    constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
    constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount;
    std::vector<uint32_t> out;
    out.reserve(text.size());
    for (uint32_t cp : text) {
        const CodeMap* send = kNfcSingletons + kNfcSingletons_count;
        const CodeMap* s = std::lower_bound(
            kNfcSingletons, send, cp, [](const CodeMap& m, uint32_t v) { return m.from < v; });
        if (s != send && s->from == cp) cp = s->to;
        if (!out.empty()) {
            uint32_t prev = out.back();
            // Hangul: L + V -> LV syllable; LV + T -> LVT syllable.
            if (prev >= kLBase && prev < kLBase + kLCount && cp >= kVBase && cp < kVBase + kVCount) {
                out.back() = kSBase + ((prev - kLBase) * kVCount + (cp - kVBase)) * kTCount;
                continue;
            }
            if (prev >= kSBase && prev < kSBase + kLCount * kNCount &&
                (prev - kSBase) % kTCount == 0 && cp > kTBase && cp < kTBase + kTCount) {
                out.back() = prev + (cp - kTBase);
                continue;
            }
            const CodePair* pend = kNfcPairs + kNfcPairs_count;
            const CodePair* p = std::lower_bound(
                kNfcPairs, pend, std::make_pair(prev, cp),
                [](const CodePair& e, const std::pair<uint32_t, uint32_t>& v) {
                    return e.first != v.first ? e.first < v.first : e.second < v.second;
                });
            if (p != pend && p->first == prev && p->second == cp) {
                out.back() = p->composed;
                continue;
            }
        }
        out.push_back(cp);
    }
    return out;
}

std::vector<uint32_t> decode_utf8(const std::string& s) {
    std::vector<uint32_t> out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    size_t n = s.size(), i = 0;
    while (i < n) {
        unsigned char c = p[i];
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > n) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        bool ok = true;
        for (int k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) {
                ok = false;
                break;
            }
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        // Reject overlong forms, surrogates and values past U+10FFFF.
        static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (!ok || cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += static_cast<size_t>(len);
    }
    return out;
}

void append_utf8(uint32_t cp, std::string& out) { sdn::append_utf8(cp, out); }

}  // namespace sdn::clip_unicode
