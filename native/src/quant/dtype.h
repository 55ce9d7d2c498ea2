// Element types of stored weights and their traits now live in core (the backend interface
// speaks them); this header keeps the quant/ spelling for the code that includes it.
#pragma once

#include "core/element_type.h"
