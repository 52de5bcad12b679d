#include "ferry/profiles/typed_value.hpp"

#include <charconv>
#include <cstdlib>

#include "ferry/profiles/date_mask.hpp"

namespace ferry::profiles {
namespace {

bool is_integer_text(std::string_view t) {
    if (!t.empty() && (t.front() == '+' || t.front() == '-')) t.remove_prefix(1);
    if (t.empty()) return false;
    for (const char c : t) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

// A decimal number as XML Schema and JSON write it: sign, digits, one point, exponent (JSON).
bool is_number_text(std::string_view t) {
    if (!t.empty() && (t.front() == '+' || t.front() == '-')) t.remove_prefix(1);
    std::size_t digits = 0;
    std::size_t i = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
    if (i < t.size() && t[i] == '.') {
        ++i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
    }
    if (digits == 0) return false;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
        const auto exponent_start = i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
        if (i == exponent_start) return false;
    }
    return i == t.size();
}

std::string_view trimmed(std::string_view t) {
    const auto first = t.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return t.substr(first, t.find_last_not_of(" \t\r\n") + 1 - first);
}

}  // namespace

std::string describe_type(value_type type, std::string_view mask) {
    switch (type) {
        case value_type::string:
            return "a string";
        case value_type::number:
            return "a number";
        case value_type::integer:
            return "an integer";
        case value_type::boolean:
            return "a boolean (true, false, 1, 0)";
        case value_type::date:
            return "a date written " + std::string(mask);
    }
    return "a string";
}

std::partial_ordering typed_value::compare(const typed_value& other) const {
    const auto numeric = [](value_type t) {
        return t == value_type::number || t == value_type::integer;
    };
    if (numeric(type) && numeric(other.type)) return number <=> other.number;
    if (type != other.type) return std::partial_ordering::unordered;
    switch (type) {
        case value_type::date:
            return epoch_ms <=> other.epoch_ms;
        case value_type::boolean:
            return boolean <=> other.boolean;
        default:
            return text <=> other.text;
    }
}

boost::system::result<typed_value, std::string> read_typed(std::string_view text, value_type type,
                                                           std::string_view mask) {
    typed_value out;
    out.type = type;
    out.text = std::string(text);
    const auto t = trimmed(text);  // XML Schema collapses whitespace around these types
    switch (type) {
        case value_type::string:
            return out;
        case value_type::integer:
        case value_type::number: {
            const bool fits = type == value_type::integer ? is_integer_text(t) : is_number_text(t);
            if (!fits) {
                return {boost::system::in_place_error,
                        "'" + std::string(text) + "' is not " + describe_type(type, mask)};
            }
            out.number = std::strtold(std::string(t).c_str(), nullptr);
            return out;
        }
        case value_type::boolean:
            if (t == "true" || t == "1") {
                out.boolean = true;
            } else if (t != "false" && t != "0") {
                return {boost::system::in_place_error,
                        "'" + std::string(text) + "' is not " + describe_type(type, mask)};
            }
            return out;
        case value_type::date: {
            const auto ms = parse_date(t, mask);
            if (!ms) {
                return {boost::system::in_place_error,
                        "'" + std::string(text) + "' is not " + describe_type(type, mask)};
            }
            out.epoch_ms = *ms;
            return out;
        }
    }
    return out;
}

}  // namespace ferry::profiles
