#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/profiles/profile.hpp"

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

/// The profiles a definition carries, by name; `path` is what errors cite. Throws
/// definition_error for a profile with a mistake (at its line in the whole definition) or one
/// that is not the profile its marker names.
std::map<std::string, profiles::profile> read_bundled_profiles(const definition_bundle& bundle,
                                                               const std::string& path);

}  // namespace ferry::engine
