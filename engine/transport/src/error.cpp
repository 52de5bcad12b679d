#include "ferry/transport/error.hpp"

namespace ferry::transport {

const char* category_name(errc) noexcept { return "ferry.transport"; }

const char* describe(errc e) noexcept {
    switch (e) {
        case errc::busy:
            return "transport queue is full";
        case errc::shutting_down:
            return "transport is shutting down";
        case errc::bad_message:
            return "malformed transport message";
        case errc::socket_failure:
            return "transport socket failure";
    }
    return "unknown transport error";
}

}  // namespace ferry::transport
