// Model description for sdn_model_info. Missing / unexpected are computed by binding the UNet
// (the part this file owns) against the file; CLIP and VAE tensors count as expected when they
// sit under their component prefix.
#include "model/model_info.h"

#include <map>
#include <set>
#include <sstream>

#include "core/error.h"
#include "model/checkpoint.h"
#include "model/tensor_names.h"
#include "model/unet_weights.h"

namespace sdn {

namespace {

std::string json_escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') out += '\\', out += ch;
        else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else out += ch;
    }
    return out;
}

void write_list(std::ostringstream& o, const std::vector<std::string>& items) {
    o << "[";
    for (size_t i = 0; i < items.size(); ++i) o << (i ? "," : "") << "\"" << json_escape(items[i]) << "\"";
    o << "]";
}

}  // namespace

std::string model_info_json(const std::string& path) {
    std::shared_ptr<Checkpoint> ck = Checkpoint::open(path);
    const ArchDetection& d = ck->detection();
    std::map<std::string, int64_t> per_type;
    int64_t total_bytes = 0;
    for (const TensorEntry& e : ck->file().tensors()) {
        per_type[dtype_traits(e.ref.type).name] += 1;
        total_bytes += e.ref.nbytes;
    }
    std::vector<std::string> missing;
    std::set<std::string> used;
    const bool known_unet = d.has_unet && d.arch != SDN_ARCH_UNKNOWN;
    if (known_unet) {
        unet::WeightBinder binder(ck->lookup(), d.unet_prefix);
        try {
            const UnetHeads heads = unet_heads(d.arch);
            bind_unet_weights(binder, heads.num_heads, heads.head_dim);
        } catch (const Error&) {
        }
        missing = binder.problems();
        used = binder.used();
    }
    // CLIP and VAE tensors are accounted for by their prefixes here (their networks bind them
    // on load); only UNet and unknown tensors can be unexpected.
    std::vector<std::string> unexpected =
        ck->unexpected_tensors(used, known_unet, false, false);
    std::vector<std::string> components;
    if (d.has_unet) components.push_back("unet");
    if (d.has_clip) components.push_back("clip");
    if (d.has_vae) components.push_back("vae");

    std::ostringstream o;
    o << "{\"path\":\"" << json_escape(path) << "\",\"format\":\"" << ck->file().format_name()
      << "\",\"architecture\":\"" << arch_name(d.arch) << "\",\"evidence\":\""
      << json_escape(d.evidence) << "\",\"prediction\":\""
      << (d.has_unet ? prediction_name(d.prediction) : "") << "\",\"prediction_evidence\":\""
      << json_escape(d.prediction_evidence) << "\",\"components\":";
    write_list(o, components);
    o << ",\"tensor_count\":" << ck->file().tensors().size() << ",\"tensor_types\":{";
    bool first = true;
    for (const auto& [name, count] : per_type) {
        o << (first ? "" : ",") << "\"" << name << "\":" << count;
        first = false;
    }
    o << "},\"total_bytes\":" << total_bytes << ",\"missing\":";
    write_list(o, missing);
    o << ",\"unexpected\":";
    write_list(o, unexpected);
    o << "}";
    return o.str();
}

}  // namespace sdn
