// Where a checkpoint's CLIP vocabulary comes from. Searched in this order:
//   1. the model file's GGUF metadata (sdnative.clip.merges, written by our converter);
//   2. beside the model file: vocab.json + merges.txt, else bpe_simple_vocab_16e6.txt.gz
//      (or .txt);
//   3. <models_dir>/tokenizers/ with the same file names (when models_dir is given);
//   4. explicit_path (sdn_load_options_t.tokenizer_path), then the SDN_TOKENIZER environment
//      variable: a vocabulary file (bpe_simple_vocab_16e6.txt[.gz], or vocab.json with
//      merges.txt beside it) or a folder holding one.
// An explicit path or SDN_TOKENIZER value that names nothing usable is an error of its own
// (SDN_ERR_NOT_FOUND naming it), so a typo is not silently ignored.
#pragma once

#include <memory>
#include <string>

#include "io/model_file.h"
#include "model/clip_tokenizer.h"

namespace sdn {

// model may be null (nothing to read metadata from); model_path may be empty. Throws
// Error(SDN_ERR_NOT_FOUND) listing where it looked, where to put the vocabulary and how to
// get it (`sdnative download-tokenizer`).
std::shared_ptr<ClipTokenizer> locate_clip_tokenizer(const ModelFile* model,
                                                     const std::string& model_path,
                                                     const char* explicit_path,
                                                     const char* models_dir);

}  // namespace sdn
