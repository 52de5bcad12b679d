#pragma once

#include <string_view>

namespace ferry::engine {

/// Whether `text` matches `pattern`, where '*' matches any run of characters, '?' any one
/// character, and everything else itself. Linear backtracking (one resume point), so no
/// pattern is exponential.
bool wildcard_match(std::string_view text, std::string_view pattern);

}  // namespace ferry::engine
