// The C ABI boundary: runs a body, turning every exception into a status and the context's
// last-error message, so nothing is thrown across the ABI.
#pragma once

#include <new>
#include <string>

#include "core/context.h"
#include "core/error.h"
#include "handles.h"

namespace sdn {

template <typename Body>
sdn_status guarded(sdn_context* ctx, Body&& body) {
    Context* c = ctx ? &ctx->impl : nullptr;
    auto record = [&](sdn_status status, const std::string& message) {
        if (c) {
            c->set_last_error(message);
            if (status != SDN_ERR_CANCELLED) c->log(SDN_LOG_ERROR, "%s", message.c_str());
        }
        return status;
    };
    try {
        if (c) c->set_last_error("");
        body();
        return SDN_OK;
    } catch (const Error& e) {
        return record(e.status(), e.what());
    } catch (const std::bad_alloc&) {
        return record(SDN_ERR_OUT_OF_MEMORY, "out of memory");
    } catch (const std::exception& e) {
        return record(SDN_ERR_INTERNAL, std::string("internal error: ") + e.what());
    } catch (...) {
        return record(SDN_ERR_INTERNAL, "internal error: unknown exception");
    }
}

}  // namespace sdn

#define SDN_REQUIRE_ARG(ptr) \
    SDN_REQUIRE((ptr) != nullptr, SDN_ERR_INVALID_ARGUMENT, #ptr " must not be NULL")
