#pragma once

#include <string>
#include <string_view>

namespace ferry::profiles {

/// Whether `s` is well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates,
/// nothing above U+10FFFF (what every strict JSON reader takes).
bool valid_utf8(std::string_view s);

/// Where the first byte that is not part of well-formed UTF-8 is; npos when there is none.
std::size_t first_invalid_utf8(std::string_view s);

/// `s` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD: text from a
/// request or the store, made safe to put in a JSON answer.
std::string as_utf8(std::string_view s);

}  // namespace ferry::profiles
