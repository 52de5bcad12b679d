#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>

#include "ferry/profiles/profile.hpp"

namespace ferry::profiles {

/// How a value is written: its profile type, and the mask of a date.
struct value_shape {
    value_type type = value_type::string;
    std::string mask;  // date
};

/// What an element path (SPEC §6, "Customer/Name", "lines/@sku") reaches in a profile: an
/// element, a leaf or a structure, or an attribute.
struct path_target {
    const profile_element* element = nullptr;  // nullptr when the path ends in @attribute
    const profile_attribute* attribute = nullptr;

    bool structure() const { return element && !element->is_leaf(); }
    bool repeats() const { return element && element->repeats(); }
    value_shape shape() const;
};

/// Follows `path` from `from` (the root, or a map's current item) the way element paths read
/// documents: '/'-separated names, namespace prefixes ignored, "." the element itself, a last
/// "@name" an attribute. Fails with a sentence naming the first step that is not in the
/// profile and what is there instead.
[[nodiscard]] boost::system::result<path_target, std::string> resolve_path(
    const profile_element& from, std::string_view path);

}  // namespace ferry::profiles
