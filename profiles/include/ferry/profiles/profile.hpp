#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::profiles {

/// Whether a profile describes XML or JSON documents.
enum class profile_format { xml, json };

/// The type of a leaf value (SPEC §6). `date` needs a mask.
enum class value_type { string, number, integer, boolean, date };

std::string_view to_string(profile_format format);
std::optional<profile_format> parse_profile_format(std::string_view text);
std::string_view to_string(value_type type);
std::optional<value_type> parse_value_type(std::string_view text);

/// An XML attribute of an element. Attributes are unqualified (no namespace).
struct profile_attribute {
    std::string name;
    value_type type = value_type::string;
    std::string mask;  // date
    bool required = false;
};

/// One element of a profile: a leaf with a typed value, or a parent of elements (an XML
/// element with children, a JSON object). `max` above 1 (or unbounded) makes it repeat: an
/// XML element that may occur several times, a JSON array.
struct profile_element {
    std::string name;
    std::string namespace_uri;  // XML: the element's namespace ("" = none)
    value_type type = value_type::string;
    std::string mask;                    // date
    std::size_t min = 1;                 // fewest occurrences (0 = optional)
    std::optional<std::size_t> max = 1;  // most occurrences; nothing = unbounded
    bool nullable = false;               // JSON: null is allowed
    bool any_order = false;              // XML: children may come in any order and interleave
    std::vector<profile_attribute> attributes;
    std::vector<profile_element> elements;

    bool is_leaf() const { return elements.empty(); }
    bool repeats() const { return !max || *max > 1; }
    const profile_element* child(std::string_view name) const;
};

/// A named document shape (SPEC §6), stored as `<name>.profile.yaml` next to the process
/// definitions. `root` is the document element (XML) or the top-level value (JSON; its name
/// is not used, and `max` above 1 makes the document a top-level array).
struct profile {
    std::string name;
    profile_format format = profile_format::json;
    profile_element root;

    /// The profile element an element path ("lines/sku", relative to the root, as in maps)
    /// reaches, or nullptr; a last segment "@id" is not an element.
    const profile_element* find(std::string_view path) const;
    /// The attribute a path ending in "@name" reaches, or nullptr.
    const profile_attribute* find_attribute(std::string_view path) const;
};

/// Profile names: 1 to 64 letters, digits, '.', '_' or '-' (they name files).
bool valid_profile_name(std::string_view name);

}  // namespace ferry::profiles
