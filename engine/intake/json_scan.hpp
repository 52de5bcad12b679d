#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::engine {

/// Where and why a text is not JSON (RFC 8259). line and column are 1-based.
struct json_error {
    std::size_t offset = 0;
    std::size_t line = 1;
    std::size_t column = 1;
    std::string message;

    /// "line L, column C: message"
    std::string describe() const;
};

/// Checks that `text` is exactly one JSON value (surrounding whitespace allowed).
std::optional<json_error> validate_json(std::string_view text);

/// Checks that `text` is a JSON array and appends each element's original bytes to `elements`
/// (no re-serialisation: numbers and escapes reach the process exactly as posted).
std::optional<json_error> split_json_array(std::string_view text,
                                           std::vector<std::string_view>& elements);

}  // namespace ferry::engine
