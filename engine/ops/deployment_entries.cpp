#include "ops/deployment_entries.hpp"

#include <charconv>
#include <cstdio>
#include <limits>

namespace ferry::engine {

std::string definition_key(std::string_view kind, const std::string& name, std::uint32_t version) {
    char digits[16];
    std::snprintf(digits, sizeof digits, "%010u", version);
    return std::string(kind) + "/" + name + "/" + digits;
}

std::string encode_definition(std::int64_t deployed_ms, const std::string& file,
                              const std::string& text) {
    return std::to_string(deployed_ms) + "\n" + file + "\n" + text;
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::optional<stored_definition> decode_definition(const std::string& key,
                                                   const std::string& value) {
    // key: <kind>/<name>/<version>
    const auto last = key.rfind('/');
    const auto first = key.find('/');
    if (first == std::string::npos || last == first) return std::nullopt;
    stored_definition out;
    out.name = key.substr(first + 1, last - first - 1);
    const auto version = parse_number(std::string_view(key).substr(last + 1));
    const auto line1 = value.find('\n');
    const auto line2 = line1 == std::string::npos ? line1 : value.find('\n', line1 + 1);
    if (!version || line2 == std::string::npos) return std::nullopt;
    const auto ms = parse_number(std::string_view(value).substr(0, line1));
    // Numbers past what the fields hold are not this form: read, they would change.
    if (!ms || *ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
        *version > std::numeric_limits<std::uint32_t>::max()) {
        return std::nullopt;
    }
    out.version = static_cast<std::uint32_t>(*version);
    out.deployed_ms = static_cast<std::int64_t>(*ms);
    out.file = value.substr(line1 + 1, line2 - line1 - 1);
    out.text = value.substr(line2 + 1);
    return out;
}

}  // namespace ferry::engine
