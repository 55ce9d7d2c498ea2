// The struct behind sdn_taesd: a loaded TAESD decoder. Shared, because a context previewing
// with it keeps it alive after the handle is freed.
#pragma once

#include <memory>

#include "core/live_objects.h"
#include "model/taesd_decoder.h"

struct sdn_taesd : sdn::LiveHandle<SDN_LIVE_VAES> {
    std::shared_ptr<const sdn::TaesdDecoder> decoder;
};
