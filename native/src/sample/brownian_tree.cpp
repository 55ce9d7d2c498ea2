#include "brownian_tree.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "seed_sequence.h"
#include "torch_rng.h"

namespace sdn {

namespace {

// torchsde's default cache_size. Values never depend on it (see the header).
constexpr size_t kCacheSize = 45;
// Halving a span of up to 1e12 down to the 1e-6 grid takes < 60 levels (and keys, < 2^depth,
// stay in 64 bits); deeper means a decomposition that cannot terminate.
constexpr uint32_t kMaxDepth = 63;

}  // namespace

double round6(double x) {
    // glibc's printf rounds the exact binary value correctly (half-even on exact ties), as
    // Python's round(); strtod reads the decimal back to the nearest double, as Python does.
    char text[512];
    std::snprintf(text, sizeof text, "%.6f", x);
    return std::strtod(text, nullptr);
}

BrownianTree::BrownianTree(uint64_t seed, double t0, double t1, std::vector<int64_t> shape)
    : seed_(seed), shape_(std::move(shape)) {
    SDN_REQUIRE(std::isfinite(t0) && std::isfinite(t1) && t0 < t1, SDN_ERR_INVALID_ARGUMENT,
                "Brownian tree needs finite times t0 < t1");
    Node root{round6(t0), round6(t1), 0, 0, -1};
    SDN_REQUIRE(root.start < root.end, SDN_ERR_INVALID_ARGUMENT,
                "Brownian tree times must differ after rounding to 1e-6");
    nodes_.push_back(root);
    // The root's own seeds (no spawn key): [W, H, A]; only W is used without Levy area.
    const uint32_t w_seed = SeedSequence(seed).generate_state(3)[0];
    Tensor w = randn(w_seed);
    const float scale = static_cast<float>(std::sqrt(t1 - t0));  // unrounded times
    for (int64_t k = 0; k < w.size(); ++k) w.data()[k] = w.data()[k] * scale;
    root_increment_ = std::make_shared<const Tensor>(std::move(w));
}

Tensor BrownianTree::randn(uint32_t seed) const {
    Tensor t(shape_);
    TorchGenerator(seed).randn(t.data(), t.size());
    return t;
}

void BrownianTree::split(int index) {
    Node& n = nodes_[static_cast<size_t>(index)];
    if (n.split) return;
    SDN_REQUIRE(n.depth < kMaxDepth, SDN_ERR_INTERNAL, "Brownian tree deeper than expected");
    const double mid = round6(0.5 * (n.end + n.start));
    n.mid = mid;
    n.split = true;
    n.bridge_seed = SeedSequence(seed_, {n.key, n.depth}).generate_state(4)[0];
    Node left{n.start, mid, 2 * n.key, n.depth + 1, index, true};
    Node right{mid, n.end, 2 * n.key + 1, n.depth + 1, index, false};
    const int left_index = static_cast<int>(nodes_.size());
    nodes_.push_back(left);  // invalidates n
    nodes_.push_back(right);
    nodes_[static_cast<size_t>(index)].left = left_index;
    nodes_[static_cast<size_t>(index)].right = left_index + 1;
}

void BrownianTree::decompose(int index, double a, double b, std::vector<int>& pieces) {
    {
        const Node& n = nodes_[static_cast<size_t>(index)];
        if (a == n.start && b == n.end) {
            pieces.push_back(index);
            return;
        }
    }
    split(index);
    const Node& n = nodes_[static_cast<size_t>(index)];
    const double mid = n.mid;
    const int left = n.left, right = n.right;
    if (b <= mid) {
        decompose(left, a, b, pieces);
    } else if (a >= mid) {
        decompose(right, a, b, pieces);
    } else {
        decompose(left, a, mid, pieces);
        decompose(right, mid, b, pieces);
    }
}

BrownianTree::Increment BrownianTree::node_increment(int index) {
    if (index == 0) return root_increment_;
    auto hit = cache_.find(index);
    if (hit != cache_.end()) {
        recent_.splice(recent_.begin(), recent_, hit->second.second);
        return hit->second.first;
    }
    // One bridge draw gives both halves of the parent; keep the sibling too, since a query's
    // pieces are mostly siblings of the nodes on its way down.
    const Node& node = nodes_[static_cast<size_t>(index)];
    const Node& parent = nodes_[static_cast<size_t>(node.parent)];
    const int sibling = node.is_left ? parent.right : parent.left;
    auto [left, right] = bridge(node.parent);
    remember(sibling, node.is_left ? right : left);
    Increment w = node.is_left ? left : right;
    remember(index, w);
    return w;
}

void BrownianTree::remember(int index, const Increment& w) {
    auto hit = cache_.find(index);
    if (hit != cache_.end()) {
        recent_.erase(hit->second.second);
        cache_.erase(hit);
    }
    recent_.push_front(index);
    cache_.emplace(index, std::make_pair(w, recent_.begin()));
    if (cache_.size() > kCacheSize) {
        cache_.erase(recent_.back());
        recent_.pop_back();
    }
}

// The Brownian bridge: given W over the parent [s, e], its left part over [s, m] is
// N((m-s)/(e-s) * W, (m-s)(e-m)/(e-s)); the right part is what remains of W.
std::pair<BrownianTree::Increment, BrownianTree::Increment> BrownianTree::bridge(int parent_index) {
    const Increment parent_w = node_increment(parent_index);
    const Node& parent = nodes_[static_cast<size_t>(parent_index)];
    const double s = parent.start, m = parent.mid, e = parent.end;
    const Tensor z = randn(parent.bridge_seed);

    const double inv_span = 1.0 / (e - s);
    const double left_span = m - s, right_span = e - m;
    const float left_f = static_cast<float>(left_span);
    const float inv_span_f = static_cast<float>(inv_span);
    const float std_f = static_cast<float>(std::sqrt((left_span * right_span) * inv_span));
    Tensor left(shape_), right(shape_);
    const float* w = parent_w->data();
    const float* zs = z.data();
    float* l = left.data();
    float* r = right.data();
    for (int64_t k = 0; k < left.size(); ++k) {
        // Separate float32 roundings, in torch's order (the sample area builds without FMA
        // contraction): (ld * W) * hr, then std * Z, then the sum.
        const float mean = (left_f * w[k]) * inv_span_f;
        const float noise = std_f * zs[k];
        l[k] = mean + noise;
        r[k] = w[k] - l[k];
    }
    return {std::make_shared<const Tensor>(std::move(left)), std::make_shared<const Tensor>(std::move(right))};
}

Tensor BrownianTree::increment(double ta, double tb) {
    SDN_REQUIRE(!(ta > tb), SDN_ERR_INVALID_ARGUMENT, "Brownian tree query needs ta <= tb");
    const double start = nodes_[0].start, end = nodes_[0].end;
    ta = std::clamp(ta, start, end);
    tb = std::clamp(tb, start, end);
    Tensor sum(shape_);
    if (ta == tb) return sum;
    const double a = round6(ta), b = round6(tb);
    // Two times that differ but round alike cover no tree node: a zero increment.
    if (a == b) return sum;
    std::vector<int> pieces;
    decompose(0, a, b, pieces);
    float* acc = sum.data();
    for (int piece : pieces) {  // left to right, as torchsde sums them
        const Increment w = node_increment(piece);
        const float* p = w->data();
        for (int64_t k = 0; k < sum.size(); ++k) acc[k] = acc[k] + p[k];
    }
    return sum;
}

}  // namespace sdn
