// Hands freed heap memory back to the OS. glibc keeps freed memory in per-thread arenas;
// after a context or a model goes away that memory would otherwise stay resident, which
// users read as a leak when they load and unload models in a long-running process.
#pragma once

namespace sdn {

void release_free_heap_memory();

}  // namespace sdn
