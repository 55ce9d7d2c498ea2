/* Compiled as C99 with -pedantic -Werror: the public header must stay plain C. The program
 * also calls into the shared library to prove the exported symbols link and agree. */
#include <stdio.h>
#include <string.h>

#include "sdnative.h"

int main(void) {
    sdn_system_info_t info;
    sdn_context_options_t options;
    sdn_context* ctx = NULL;
    if (sdn_abi_version() != SDN_ABI_VERSION) {
        fprintf(stderr, "ABI mismatch: header %d, library %d\n", SDN_ABI_VERSION,
                (int)sdn_abi_version());
        return 1;
    }
    memset(&info, 0, sizeof info);
    if (sdn_system_info(&info) != SDN_OK || info.struct_size != sizeof info) return 2;
    sdn_context_options_init(&options);
    if (sdn_context_create(&options, &ctx) != SDN_OK) return 3;
    if (sdn_context_thread_count(ctx) < 1) return 4;
    sdn_context_free(ctx);
    printf("cpu=%s threads=%d features=0x%x\n", info.cpu_name, (int)info.default_threads,
           (unsigned)info.cpu_features);
    return sdn_live_object_count() == 0 ? 0 : 5;
}
