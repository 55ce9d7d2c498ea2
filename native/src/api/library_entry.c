/* The shared library's own translation unit; every exported symbol comes from sdn_api,
 * linked whole. Compiling the public header here as C keeps it C-clean as well. */
#include "sdnative.h"
