#include "model/clip_tokenizer_locator.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/error.h"

namespace sdn {

namespace fs = std::filesystem;

namespace {

bool is_file(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

// A vocabulary in folder dir, or nullptr.
std::shared_ptr<ClipTokenizer> load_from_folder(const fs::path& dir) {
    if (is_file(dir / "vocab.json") && is_file(dir / "merges.txt"))
        return ClipTokenizer::from_hf_files((dir / "vocab.json").string(),
                                            (dir / "merges.txt").string());
    for (const char* name : {"bpe_simple_vocab_16e6.txt.gz", "bpe_simple_vocab_16e6.txt"})
        if (is_file(dir / name)) return ClipTokenizer::from_bpe_file((dir / name).string());
    return nullptr;
}

// A vocabulary file or folder given by the user, or nullptr when it names nothing usable.
std::shared_ptr<ClipTokenizer> load_from_user_path(const fs::path& p) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) return load_from_folder(p);
    if (!is_file(p)) return nullptr;
    if (p.filename() == "vocab.json") {
        fs::path merges = p.parent_path() / "merges.txt";
        if (!is_file(merges)) return nullptr;
        return ClipTokenizer::from_hf_files(p.string(), merges.string());
    }
    if (p.filename() == "merges.txt") {
        fs::path vocab = p.parent_path() / "vocab.json";
        if (!is_file(vocab)) return nullptr;
        return ClipTokenizer::from_hf_files(vocab.string(), p.string());
    }
    return ClipTokenizer::from_bpe_file(p.string());
}

}  // namespace

std::shared_ptr<ClipTokenizer> locate_clip_tokenizer(const ModelFile* model,
                                                     const std::string& model_path,
                                                     const char* explicit_path,
                                                     const char* models_dir) {
    std::vector<std::string> looked;
    if (model) {
        if (auto t = ClipTokenizer::from_gguf_metadata(model->metadata())) return t;
        looked.push_back("the model file's metadata");
    }
    if (!model_path.empty()) {
        fs::path dir = fs::path(model_path).parent_path();
        if (dir.empty()) dir = ".";
        if (auto t = load_from_folder(dir)) return t;
        looked.push_back(dir.string() + " (beside the model)");
    }
    if (models_dir && *models_dir) {
        fs::path dir = fs::path(models_dir) / "tokenizers";
        if (auto t = load_from_folder(dir)) return t;
        looked.push_back(dir.string());
    }
    if (explicit_path && *explicit_path) {
        if (auto t = load_from_user_path(explicit_path)) return t;
        fail(SDN_ERR_NOT_FOUND,
             std::string("CLIP tokenizer: the tokenizer path '") + explicit_path +
                 "' is not a vocabulary (bpe_simple_vocab_16e6.txt.gz, or vocab.json with "
                 "merges.txt beside it) nor a folder holding one");
    }
    if (const char* env = std::getenv("SDN_TOKENIZER"); env && *env) {
        if (auto t = load_from_user_path(env)) return t;
        fail(SDN_ERR_NOT_FOUND,
             std::string("CLIP tokenizer: SDN_TOKENIZER='") + env +
                 "' is not a vocabulary (bpe_simple_vocab_16e6.txt.gz, or vocab.json with "
                 "merges.txt beside it) nor a folder holding one");
    }
    std::string where;
    for (const std::string& l : looked) where += (where.empty() ? "" : "; ") + l;
    fail(SDN_ERR_NOT_FOUND,
         "CLIP tokenizer vocabulary not found (looked in: " +
             (where.empty() ? std::string("nowhere: no model path given") : where) +
             "). Put bpe_simple_vocab_16e6.txt.gz (or vocab.json + merges.txt) beside the "
             "model or in <models>/tokenizers/, set SDN_TOKENIZER to its path, or run "
             "`sdnative download-tokenizer` to fetch it; converting the model to GGUF with "
             "the vocabulary available embeds it in the file.");
}

}  // namespace sdn
