#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::engine {

/// A definition as stored: the process's YAML, then each profile it uses after a line
/// `--- # ferry profile NAME` (see bundle_profiles).
struct definition_bundle {
    std::string_view process_text;
    struct profile_text {
        std::string name;        // from the marker line
        std::string_view text;   // the profile's YAML
        std::size_t first_line;  // 1-based line of `text` within the whole definition
    };
    std::vector<profile_text> profiles;
};

inline constexpr std::string_view profile_marker = "--- # ferry profile ";

/// Splits a definition at its profile marker lines. Views into `text`.
definition_bundle split_bundle(std::string_view text);

}  // namespace ferry::engine
