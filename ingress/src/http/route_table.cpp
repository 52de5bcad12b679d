#include "http/route_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace ferry::ingress::detail {

std::vector<pattern_segment> parse_pattern(std::string_view pattern) {
    if (!pattern.starts_with('/')) {
        throw std::invalid_argument("a route pattern starts with '/': " + std::string(pattern));
    }
    std::vector<pattern_segment> out;
    auto rest = pattern.substr(1);
    for (;;) {
        const auto slash = rest.find('/');
        const auto text = rest.substr(0, slash);
        // A pattern may end with '/' ("/_console/"): its last segment is the empty literal.
        if (text.empty() && (slash != std::string_view::npos || out.empty())) {
            throw std::invalid_argument("empty segment in route pattern " + std::string(pattern));
        }
        if (!out.empty() && out.back().what == pattern_segment::kind::rest) {
            throw std::invalid_argument("{name...} must be last in " + std::string(pattern));
        }
        if (text.starts_with('{') && text.ends_with('}')) {
            auto name = text.substr(1, text.size() - 2);
            auto what = pattern_segment::kind::param;
            if (name.ends_with("...")) {
                name.remove_suffix(3);
                what = pattern_segment::kind::rest;
            }
            if (name.empty()) {
                throw std::invalid_argument("unnamed parameter in " + std::string(pattern));
            }
            out.push_back({what, std::string(name)});
        } else if (text.find_first_of("{}") != std::string_view::npos) {
            throw std::invalid_argument("a parameter is a whole segment: " + std::string(pattern));
        } else {
            out.push_back({pattern_segment::kind::literal, std::string(text)});
        }
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
    }
    if (out.size() > max_pattern_segments) {
        throw std::invalid_argument("more than 32 segments in " + std::string(pattern));
    }
    return out;
}

std::uint64_t specificity(const std::vector<pattern_segment>& pattern) {
    std::uint64_t out = 0;
    for (std::size_t i = 0; i < max_pattern_segments; ++i) {
        std::uint64_t digit = 0;
        if (i < pattern.size()) {
            const auto what = pattern[i].what;
            digit = what == pattern_segment::kind::literal ? 3
                    : what == pattern_segment::kind::param ? 2
                                                           : 1;
        }
        out = (out << 2) | digit;
    }
    return out;
}

path_segments split_path(std::string_view path, std::string_view& matrix) {
    path_segments out;
    if (path.starts_with('/')) path.remove_prefix(1);
    for (;;) {
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path = path.substr(slash + 1);
    }
    auto& last = out.back();
    if (const auto semicolon = last.find(';'); semicolon != std::string_view::npos) {
        matrix = last.substr(semicolon);
        last = last.substr(0, semicolon);
    } else {
        matrix = {};
    }
    return out;
}

bool match_segments(const std::vector<pattern_segment>& pattern, const path_segments& segments,
                    path_params& params) {
    using kind = pattern_segment::kind;
    std::size_t i = 0;
    for (const auto& p : pattern) {
        if (p.what == kind::rest) {
            if (i >= segments.size()) return false;
            std::string joined;
            for (std::size_t j = i; j < segments.size(); ++j) {
                if (segments[j].empty()) return false;
                if (j > i) joined += '/';
                joined += segments[j];
            }
            params.emplace_back(p.text, std::move(joined));
            return true;
        }
        if (i >= segments.size()) return false;
        const auto segment = segments[i++];
        if (p.what == kind::literal) {
            if (segment != p.text) return false;
        } else {
            if (segment.empty()) return false;
            params.emplace_back(p.text, std::string(segment));
        }
    }
    return i == segments.size();
}

std::string allow_text(const std::vector<boost::beast::http::verb>& methods) {
    // A fixed order, whatever order the routes were added in.
    static constexpr boost::beast::http::verb order[] = {
        boost::beast::http::verb::get, boost::beast::http::verb::post,
        boost::beast::http::verb::put, boost::beast::http::verb::patch,
        boost::beast::http::verb::delete_};
    std::string out;
    const auto add = [&](boost::beast::http::verb v) {
        if (!out.empty()) out += ", ";
        out += boost::beast::http::to_string(v);
    };
    for (const auto v : order) {
        if (std::find(methods.begin(), methods.end(), v) != methods.end()) add(v);
    }
    for (const auto v : methods) {
        if (std::find(std::begin(order), std::end(order), v) == std::end(order)) add(v);
    }
    return out;
}

}  // namespace ferry::ingress::detail
