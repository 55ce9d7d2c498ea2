// Errors inside the engine are C++ exceptions carrying an sdn_status; the C API boundary
// (api/guard.h) turns them into a status plus the context's last-error message.
#pragma once

#include <stdexcept>
#include <string>

#include "sdnative.h"

namespace sdn {

class Error : public std::runtime_error {
public:
    Error(sdn_status status, const std::string& message)
        : std::runtime_error(message), status_(status) {}
    sdn_status status() const { return status_; }

private:
    sdn_status status_;
};

[[noreturn]] inline void fail(sdn_status status, const std::string& message) {
    throw Error(status, message);
}

}  // namespace sdn

// Checks a condition that depends on input; failing it is the caller's fault, not a bug.
#define SDN_REQUIRE(cond, status, message)        \
    do {                                          \
        if (!(cond)) ::sdn::fail((status), (message)); \
    } while (0)
