#pragma once

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <string>

namespace ferry::errors {

/// One boost::system error category per module's `errc` enum. The module names the category
/// and describes each value through two functions found by argument-dependent lookup next to
/// its enum:
///
///     const char* category_name(errc) noexcept;   // "ferry.store"
///     const char* describe(errc) noexcept;        // "storage I/O failure"
///
/// and makes its codes with `errors::make_code(errc::io_failure)`.
template <typename Errc>
class enum_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return category_name(Errc{}); }
    std::string message(int ev) const override { return describe(static_cast<Errc>(ev)); }
};

/// The one instance of the category of `Errc` (a function-local static: thread-safe, and the
/// same object for every caller, which error_code comparison relies on).
template <typename Errc>
const boost::system::error_category& category_of() noexcept {
    static const enum_category<Errc> instance;
    return instance;
}

template <typename Errc>
boost::system::error_code make_code(Errc e) noexcept {
    return {static_cast<int>(e), category_of<Errc>()};
}

}  // namespace ferry::errors
