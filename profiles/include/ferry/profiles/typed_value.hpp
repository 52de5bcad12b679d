#pragma once

#include <boost/system/result.hpp>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/profiles/profile.hpp"

namespace ferry::profiles {

/// An element's text read as the profile types it (SPEC §6, element paths): what decisions
/// compare and maps convert. Strings stay text; numbers and integers are compared by value;
/// dates become UTC milliseconds through their mask; booleans are true/false (also 1/0).
struct typed_value {
    value_type type = value_type::string;
    std::string text;           // the text as written
    long double number = 0;     // number, integer
    std::int64_t epoch_ms = 0;  // date
    bool boolean = false;

    /// Orders two values of the same type by value (text byte-wise); other pairs are unordered.
    std::partial_ordering compare(const typed_value& other) const;
};

/// The type in a sentence: "an integer", "a date written yyyy-MM-dd".
std::string describe_type(value_type type, std::string_view mask);

/// Reads `text` as `type` (with `mask` for dates). Fails with a sentence saying what the text
/// should look like.
[[nodiscard]] boost::system::result<typed_value, std::string> read_typed(std::string_view text,
                                                                         value_type type,
                                                                         std::string_view mask);

}  // namespace ferry::profiles
