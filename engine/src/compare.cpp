#include "ferry/engine/wildcard.hpp"

#include <charconv>
#include <optional>
#include <regex>

#include "steps.hpp"

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
    int order = 0;
    const auto l = as_number(left);
    const auto r = as_number(right);
    if (l && r) {
        order = *l < *r ? -1 : (*l > *r ? 1 : 0);
    } else {
        const auto c = left.compare(right);
        order = c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    switch (op) {
        case comparison::equal: return order == 0;
        case comparison::not_equal: return order != 0;
        case comparison::less: return order < 0;
        case comparison::less_equal: return order <= 0;
        case comparison::greater: return order > 0;
        case comparison::greater_equal: return order >= 0;
        default: return false;
    }
}

}  // namespace ferry::engine
