// Per-thread, grow-only scratch memory for the kernels' packed tiles, so a forward pass does
// not allocate per op. Each pool thread keeps its own buffers (thread_local), reused by every
// later op on that thread; they only grow, to the largest tile an op has asked for.
#pragma once

#include <cstddef>

namespace sdn::cpu {

// Distinct buffers a kernel may hold at the same time.
enum class ScratchSlot { PackedB = 0, PackedA = 1, LoadedA = 2, Rows = 3, Scores = 4, PanelF32 = 5, Accumulator = 6, WholeA = 7, Count = 8 };

// At least `floats` floats, 64-byte aligned; valid until the same thread asks for the same
// slot again. Contents are unspecified.
float* thread_scratch(ScratchSlot slot, size_t floats);

// Bytes currently held by the calling thread's buffers (for scratch accounting in tests).
size_t thread_scratch_bytes();

}  // namespace sdn::cpu
