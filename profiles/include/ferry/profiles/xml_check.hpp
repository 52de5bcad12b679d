#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::profiles {

/// Where and why a text is not well-formed XML. line and column are 1-based.
struct xml_problem {
    std::size_t line = 0;
    std::size_t column = 0;
    std::string message;
};

/// Checks that `text` is well-formed, namespace-aware XML. Never resolves external entities or
/// loads a DTD: a document that refers to one is refused, not fetched.
/// Requires a live xml_runtime. Thread-safe (a parser per call).
std::optional<xml_problem> check_xml(std::string_view text);

}  // namespace ferry::profiles
