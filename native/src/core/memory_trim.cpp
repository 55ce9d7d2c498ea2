#include "core/memory_trim.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sdn {

void release_free_heap_memory() {
#if defined(__GLIBC__)
    malloc_trim(0);  // trims every arena, not only the main one
#endif
}

}  // namespace sdn
