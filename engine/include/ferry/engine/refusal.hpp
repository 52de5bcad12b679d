#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ferry/engine/error.hpp"

namespace ferry::engine {

/// Why the engine will not do what was asked: `code` says what kind of refusal it is (callers
/// branch on it; its name is the stable code the admin API answers with), `detail` is a
/// sentence saying what to do about it.
struct refusal {
    errc code;
    std::string detail;

    [[nodiscard]] std::string_view name() const noexcept { return code_name(code); }
};

/// What an engine operation that can be refused returns: the value, or the refusal.
template <typename T>
using refused_or = boost::system::result<T, refusal>;

/// Called by result::value() on a refusal (boost::system finds it by argument-dependent lookup).
[[noreturn]] inline void throw_exception_from_error(const refusal& r,
                                                    const boost::source_location&) {
    throw std::runtime_error(std::string(r.name()) + ": " + r.detail);
}

}  // namespace ferry::engine
