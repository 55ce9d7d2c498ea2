// CLIP's byte-level BPE tokenizer, as ComfyUI runs it for SD1.x (the HuggingFace slow
// CLIPTokenizer without ftfy installed, which is ComfyUI's default environment):
//   1. the literal strings <|startoftext|> / <|endoftext|> in the text become their ids;
//   2. every other piece is cleaned BERT-style: NUL, U+FFFD and control/format characters
//      (Cc, Cf) are dropped, whitespace becomes a space, CJK ideographs get spaces around
//      them, the text is NFC-composed (common cases, see clip_unicode.h) and lower-cased
//      with Python's str.lower() (including the word-final sigma; no HTML unescaping, no
//      accent stripping);
//   3. the pre-split  's|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+  (first matching
//      alternative at each position, whitespace skipped) cuts words;
//   4. each word's UTF-8 bytes are mapped to printable characters (GPT-2 byte-to-unicode),
//      "</w>" marks its end, and merges are applied lowest rank first.
//
// Vocabulary sources:
//   - bpe_simple_vocab_16e6.txt(.gz): a header line, then merges "a b" by rank; the first
//     48894 are used. The vocabulary is derived: 256 byte characters, the same with "</w>",
//     one token per merge, then <|startoftext|> (49406) and <|endoftext|> (49407).
//   - HuggingFace vocab.json + merges.txt (same merges, explicit ids).
//   - GGUF metadata written by our converter:
//       "sdnative.clip.merges"  string array: the merges in rank order, "a b" each, no header
//       "sdnative.clip.vocab"   string array (optional): token strings in id order; when
//                               absent the vocabulary is derived from the merges as above.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/model_file.h"

namespace sdn {

inline constexpr const char* kGgufClipMergesKey = "sdnative.clip.merges";
inline constexpr const char* kGgufClipVocabKey = "sdnative.clip.vocab";

class ClipTokenizer {
public:
    static constexpr int32_t kDefaultStartId = 49406;
    static constexpr int32_t kDefaultEndId = 49407;
    static constexpr size_t kMergeCount = 49152 - 256 - 2;  // 48894

    // Loads bpe_simple_vocab_16e6.txt, gzip-compressed or not (detected by content).
    // Throws Error(SDN_ERR_IO / SDN_ERR_FORMAT).
    static std::shared_ptr<ClipTokenizer> from_bpe_file(const std::string& path);
    // Loads HuggingFace vocab.json + merges.txt.
    static std::shared_ptr<ClipTokenizer> from_hf_files(const std::string& vocab_json_path,
                                                        const std::string& merges_txt_path);
    // nullptr when the metadata holds no tokenizer; throws Error(SDN_ERR_FORMAT) if malformed.
    static std::shared_ptr<ClipTokenizer> from_gguf_metadata(
        const std::map<std::string, MetaValue>& metadata);
    // merges "a b" in rank order (no header); vocab in id order, or empty to derive it.
    static std::shared_ptr<ClipTokenizer> from_merges(std::vector<std::string> merges,
                                                      std::vector<std::string> vocab = {});

    // Token ids of text, without start/end tokens.
    std::vector<int32_t> encode(const std::string& text) const;

    int32_t start_id() const { return start_id_; }
    int32_t end_id() const { return end_id_; }
    size_t vocab_size() const { return vocab_.size(); }
    const std::vector<std::string>& merges() const { return merges_; }
    const std::vector<std::string>& vocab() const { return vocab_; }

private:
    ClipTokenizer() = default;
    void append_word_ids(const std::string& word, std::vector<int32_t>& out) const;
    void append_piece_ids(const std::string& piece, std::vector<int32_t>& out) const;

    std::vector<std::string> merges_;
    std::vector<std::string> vocab_;
    std::unordered_map<std::string, int32_t> ids_;
    std::unordered_map<std::string, int32_t> merge_rank_;  // "a b" -> rank
    std::string byte_symbol_[256];                          // byte -> its printable character
    int32_t start_id_ = kDefaultStartId;
    int32_t end_id_ = kDefaultEndId;
};

// The CLIP byte-to-unicode table: byte b -> code point.
uint32_t clip_byte_to_codepoint(uint8_t b);

}  // namespace sdn
