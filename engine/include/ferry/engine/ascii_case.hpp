#pragma once

#include <string_view>

namespace ferry::engine {

/// Whether two texts are equal ignoring ASCII case (header names, media types, tokens).
/// Boost.Beast 1.81's iequals reads a byte past both texts when they differ in case (found by
/// the multipart fuzz target), so ferry compares with this instead.
inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

}  // namespace ferry::engine
