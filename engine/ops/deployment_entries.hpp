#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::engine {

// How deployments keep definitions in the control entries (control_entries); in cluster mode
// cluster_control shares these prefixes through the cluster's control bucket:
//   process/<name>/<version, 10 digits>  "<deployed ms>\n<file>\n<definition text>"
//   active/<name>                         "<version>", or "" once undeployed
//   paused/<name>                         "<ms when paused>"
//   api/<name>/<version, 10 digits>      as process/...
//   api-active/<base path>                "<name>/<version>", or "" once undeployed

/// A definition as stored: a process or an API version.
struct stored_definition {
    std::string name;
    std::uint32_t version = 0;
    std::int64_t deployed_ms = 0;
    std::string file;
    std::string text;
};

/// "<kind>/<name>/<version, 10 digits>" (kind: "process" or "api").
std::string definition_key(std::string_view kind, const std::string& name, std::uint32_t version);
std::string encode_definition(std::int64_t deployed_ms, const std::string& file,
                              const std::string& text);
/// Nullopt for a key or value that is not in the form above.
std::optional<stored_definition> decode_definition(const std::string& key,
                                                   const std::string& value);
/// A whole decimal number, nothing around it.
std::optional<std::uint64_t> parse_number(std::string_view text);

}  // namespace ferry::engine
