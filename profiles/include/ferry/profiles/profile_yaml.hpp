#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "ferry/profiles/profile.hpp"

namespace ferry::profiles {

/// Where and why a profile file is wrong; line and column are 1-based (0 when unknown).
struct profile_error {
    std::size_t line = 0;
    std::size_t column = 0;
    std::string message;
    /// "FILE:LINE:COLUMN: message", as definition errors read.
    std::string describe(std::string_view file) const;
};

/// Reads a profile from its YAML text (docs/profiles.md):
///
///     profile: Order
///     format: xml
///     root:
///       name: Order
///       namespace: urn:example:orders
///       elements:
///         - {name: id, type: integer}
///         - {name: placed, type: date, mask: "yyyy-MM-dd"}
///         - name: line
///           max: unbounded
///           attributes: [{name: sku, required: true}]
///           elements: [{name: qty, type: integer}]
///
/// An element without `namespace` is in its parent's. Thread-safe.
[[nodiscard]] boost::system::result<profile, profile_error> read_profile(std::string_view text);

/// The profile as YAML that read_profile reads back to the same profile: leaves on one line,
/// defaults (min 1, max 1, type string, the parent's namespace) left out.
std::string write_profile(const profile& p);

}  // namespace ferry::profiles
