#include "ferry/profiles/profile.hpp"

#include <array>
#include <utility>

namespace ferry::profiles {
namespace {

constexpr std::array<std::pair<value_type, std::string_view>, 5> type_names{{
    {value_type::string, "string"},
    {value_type::number, "number"},
    {value_type::integer, "integer"},
    {value_type::boolean, "boolean"},
    {value_type::date, "date"},
}};

}  // namespace

std::string_view to_string(profile_format format) {
    return format == profile_format::xml ? "xml" : "json";
}

std::optional<profile_format> parse_profile_format(std::string_view text) {
    if (text == "xml") return profile_format::xml;
    if (text == "json") return profile_format::json;
    return std::nullopt;
}

std::string_view to_string(value_type type) {
    for (const auto& [t, name] : type_names) {
        if (t == type) return name;
    }
    return "string";
}

std::optional<value_type> parse_value_type(std::string_view text) {
    for (const auto& [t, name] : type_names) {
        if (name == text) return t;
    }
    return std::nullopt;
}

const profile_element* profile_element::child(std::string_view wanted) const {
    for (const auto& e : elements) {
        if (e.name == wanted) return &e;
    }
    return nullptr;
}

const profile_element* profile::find(std::string_view path) const {
    const profile_element* at = &root;
    while (!path.empty() && path != ".") {
        const auto slash = path.find('/');
        const auto segment = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
        if (segment.empty() || segment == ".") continue;
        if (segment.starts_with('@')) return nullptr;
        at = at->child(segment);
        if (!at) return nullptr;
    }
    return at;
}

const profile_attribute* profile::find_attribute(std::string_view path) const {
    const auto slash = path.rfind('/');
    const auto last = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (!last.starts_with('@')) return nullptr;
    const auto* owner = find(slash == std::string_view::npos ? "" : path.substr(0, slash));
    if (!owner) return nullptr;
    for (const auto& a : owner->attributes) {
        if (a.name == last.substr(1)) return &a;
    }
    return nullptr;
}

bool valid_profile_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace ferry::profiles
