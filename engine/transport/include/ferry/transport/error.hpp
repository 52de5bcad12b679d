#pragma once

#include <boost/system/error_code.hpp>

#include "ferry/errors/enum_category.hpp"

namespace ferry::transport {

enum class errc {
    busy = 1,        // the peer's queue is full (high-water mark): apply back pressure
    shutting_down,   // the channel is closing; no reply will come
    bad_message,     // a message without the expected frames
    socket_failure,  // any other ZeroMQ error (logged where it happened)
};

const char* category_name(errc) noexcept;
const char* describe(errc e) noexcept;

inline const boost::system::error_category& error_category() noexcept {
    return errors::category_of<errc>();
}

inline boost::system::error_code make_error_code(errc e) noexcept { return errors::make_code(e); }

}  // namespace ferry::transport

template <>
struct boost::system::is_error_code_enum<ferry::transport::errc> : std::true_type {};
