#include "ferry/profiles/profile_path.hpp"

namespace ferry::profiles {
namespace {

std::string_view local_name(std::string_view segment) {
    const auto colon = segment.find(':');
    return colon == std::string_view::npos ? segment : segment.substr(colon + 1);
}

// "has Name, Address" / "has attributes id" / "is a value without elements": what a path could
// have named instead, so that a typo is fixed from the message alone.
std::string what_is_there(const profile_element& at, bool attribute) {
    std::string names;
    if (attribute) {
        for (const auto& a : at.attributes) names += (names.empty() ? "@" : ", @") + a.name;
        return names.empty() ? "has no attributes" : "has the attributes " + names;
    }
    for (const auto& e : at.elements) names += (names.empty() ? "" : ", ") + e.name;
    return names.empty() ? "is a value without elements" : "has " + names;
}

std::string shown(const profile_element& at) {
    return at.name.empty() ? std::string("the root") : "'" + at.name + "'";
}

}  // namespace

value_shape path_target::shape() const {
    if (attribute) return {attribute->type, attribute->mask};
    if (element && element->is_leaf()) return {element->type, element->mask};
    return {};
}

boost::system::result<path_target, std::string> resolve_path(const profile_element& from,
                                                             std::string_view path) {
    const profile_element* at = &from;
    while (!path.empty()) {
        const auto slash = path.find('/');
        const auto segment = local_name(path.substr(0, slash));
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
        if (segment.empty() || segment == ".") continue;
        if (segment.starts_with('@')) {
            if (!path.empty()) {
                return {boost::system::in_place_error,
                        "an attribute (" + std::string(segment) + ") must end the path"};
            }
            for (const auto& a : at->attributes) {
                if (a.name == segment.substr(1)) return path_target{nullptr, &a};
            }
            return {boost::system::in_place_error, shown(*at) + " has no attribute " +
                                                       std::string(segment) + " (it " +
                                                       what_is_there(*at, true) + ")"};
        }
        const auto* next = at->child(segment);
        if (!next) {
            return {boost::system::in_place_error, shown(*at) + " has no element '" +
                                                       std::string(segment) + "' (it " +
                                                       what_is_there(*at, false) + ")"};
        }
        at = next;
    }
    return path_target{at, nullptr};
}

}  // namespace ferry::profiles
