// torchsde's BrownianTree (a BrownianInterval with halfway_tree=True, no Levy area), which
// ComfyUI's SDE samplers draw their noise from. Reproduced so that a seed gives the same
// Brownian increments as torchsde on the CPU.
//
// The tree covers [round6(t0), round6(t1)]. A node [s, e] splits once, at round6((s+e)/2),
// into [s, mid] (key 2k) and [mid, e] (key 2k+1), one level deeper. The root's increment is
// randn(seed_root) * sqrt(t1 - t0); a child's comes from the Brownian bridge between its
// parent's ends, drawn with the parent's own seed (numpy SeedSequence of the KSampler seed
// with spawn key (key, depth)). A query [ta, tb] is clamped to the root, rounded to 1e-6,
// split into the fewest tree nodes that cover it, and their increments are summed in time
// order. All tensor arithmetic is float32 step by step as torch does it; times are double.
//
// Every node's increment is a pure function of (seed, shape, root bounds, node), so the LRU
// cache (torchsde's size) only saves recomputation: query order never changes a value.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace sdn {

// Python's round(x, 6): correctly rounded to the nearest decimal with 6 fraction digits
// (ties to even on the exact binary value), which torchsde applies to every time.
double round6(double x);

class BrownianTree {
public:
    BrownianTree(uint64_t seed, double t0, double t1, std::vector<int64_t> shape);

    // W(tb) - W(ta), for ta <= tb; times outside the root are clamped to it.
    Tensor increment(double ta, double tb);

    double start() const { return nodes_[0].start; }  // round6(t0)
    double end() const { return nodes_[0].end; }      // round6(t1)
    const std::vector<int64_t>& shape() const { return shape_; }

private:
    struct Node {
        double start, end;
        uint64_t key;
        uint32_t depth;
        int parent;             // -1 for the root
        bool is_left = false;   // which half of its parent
        bool split = false;
        double mid = 0;         // valid once split
        int left = -1, right = -1;
        uint32_t bridge_seed = 0;  // seeds the bridge that splits this node's increment
    };
    using Increment = std::shared_ptr<const Tensor>;

    void split(int node);
    void decompose(int node, double a, double b, std::vector<int>& pieces);
    Increment node_increment(int node);
    void remember(int node, const Increment& w);
    std::pair<Increment, Increment> bridge(int parent);  // the split node's two halves
    Tensor randn(uint32_t seed) const;

    uint64_t seed_;
    std::vector<int64_t> shape_;
    std::vector<Node> nodes_;
    Increment root_increment_;
    // LRU of computed node increments (front = most recent).
    std::list<int> recent_;
    std::unordered_map<int, std::pair<Increment, std::list<int>::iterator>> cache_;
};

}  // namespace sdn
