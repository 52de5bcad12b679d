#include <charconv>
#include <compare>
#include <optional>
#include <regex>

#include "ferry/engine/model/wildcard.hpp"
#include "ferry/profiles/typed_value.hpp"
#include "run/steps.hpp"

namespace ferry::engine {
namespace {

std::optional<double> as_number(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

bool holds(std::partial_ordering order, comparison op) {
    switch (op) {
        case comparison::equal:
            return std::is_eq(order);
        case comparison::not_equal:
            return std::is_neq(order);
        case comparison::less:
            return std::is_lt(order);
        case comparison::less_equal:
            return std::is_lteq(order);
        case comparison::greater:
            return std::is_gt(order);
        case comparison::greater_equal:
            return std::is_gteq(order);
        default:
            return false;
    }
}

}  // namespace

bool wildcard_match(std::string_view text, std::string_view pattern) {
    std::size_t t = 0, p = 0, star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++t;
            ++p;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool compare(std::string_view left, comparison op, std::string_view right) {
    if (op == comparison::regex) {
        // The whole value must match. A bad pattern is refused when the process is loaded.
        try {
            return std::regex_match(left.begin(), left.end(),
                                    std::regex(right.begin(), right.end()));
        } catch (const std::regex_error&) {
            return false;
        }
    }
    if (op == comparison::wildcard) return wildcard_match(left, right);
    const auto l = as_number(left);
    const auto r = as_number(right);
    if (l && r) return holds(*l <=> *r, op);
    return holds(left.compare(right) <=> 0, op);
}

boost::system::result<bool, std::string> compare(std::string_view left, comparison op,
                                                 std::string_view right,
                                                 const profiles::value_shape& left_shape,
                                                 const profiles::value_shape& right_shape) {
    // Patterns match text; an absent side compares as text (equal only to another absent one).
    if (op == comparison::regex || op == comparison::wildcard || left.empty() || right.empty()) {
        return compare(left, op, right);
    }
    const auto l = profiles::read_typed(left, left_shape.type, left_shape.mask);
    if (!l) return {boost::system::in_place_error, "the left value " + l.error()};
    const auto r = profiles::read_typed(right, right_shape.type, right_shape.mask);
    if (!r) return {boost::system::in_place_error, "the right value " + r.error()};
    const auto order = l->compare(*r);
    if (order == std::partial_ordering::unordered) {
        return {boost::system::in_place_error,
                "a " + std::string(profiles::to_string(left_shape.type)) +
                    " cannot be compared with a " +
                    std::string(profiles::to_string(right_shape.type))};
    }
    return holds(order, op);
}

}  // namespace ferry::engine
