#pragma once

#include <boost/beast/http/verb.hpp>
#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <functional>
#include <ostream>  // verb.hpp uses boost::core::string_view, whose operator<< needs it
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::ingress {

/// Which listeners serve a route (listener_settings::role): web services, the admin API, or
/// every port (/_admin/status).
enum class route_role { services, admin, any };

/// How a web-service route names its operation: in the path (`/ws/simple/{operation}`), in
/// the SOAP Body (`/ws/soap`, `/ws/soap12`) or by an API's route (`/ws/rest/...`); `none` for
/// every other route.
enum class web_service { none, simple, soap11, soap12, rest };

inline bool is_soap(web_service s) { return s == web_service::soap11 || s == web_service::soap12; }

/// A path's `{name}` parameters, percent-decoded, in pattern order.
using path_params = std::vector<std::pair<std::string, std::string>>;

/// The value of parameter `name` ("" when there is none of that name).
inline const std::string& param_value(const path_params& params, std::string_view name) {
    static const std::string none;
    for (const auto& [key, value] : params) {
        if (key == name) return value;
    }
    return none;
}

/// One endpoint: method + path pattern. A pattern's segments are literals, `{name}` (one
/// non-empty segment) or, last only, `{name...}` (the rest of the path, one segment or more).
template <typename Handler>
struct route {
    boost::beast::http::verb method;
    std::string pattern;
    route_role role;
    web_service service;
    Handler handler;
};

/// What a path matched: the route for the method, or (none for this method) the methods the
/// matched path takes, for 405's Allow; `shape` is a route of the matched path whatever the
/// method (its role and service), null when no pattern matched.
template <typename Handler>
struct route_match {
    const route<Handler>* found = nullptr;
    const route<Handler>* shape = nullptr;
    std::string allow;  // "GET, POST" when shape && !found
    path_params params;
    /// The last segment's matrix parameters (";auth=...;a=b"), which take no part in matching.
    std::string matrix;

    const std::string& param(std::string_view name) const { return param_value(params, name); }
};

namespace detail {

struct pattern_segment {
    enum class kind { literal, param, rest } what;
    std::string text;  // the literal, or the parameter's name
};

/// A parsed pattern; throws std::invalid_argument for a malformed one (a startup error).
std::vector<pattern_segment> parse_pattern(std::string_view pattern);

/// A pattern has at most this many segments (its rank takes 2 bits per segment).
constexpr std::size_t max_pattern_segments = 32;

/// A request path's segments, without allocating for the usual few.
using path_segments = boost::container::small_vector<std::string_view, 12>;

/// The path's segments (without the leading '/'), the last one's matrix parameters split off.
path_segments split_path(std::string_view path, std::string_view& matrix);

/// How specific a pattern is, comparable as a number: per depth, from the first, literal (3)
/// beats parameter (2) beats rest (1) beats no segment (0), the first difference decides, so a
/// longer literal prefix (base path) wins over a shorter one.
std::uint64_t specificity(const std::vector<pattern_segment>& pattern);

/// Whether `segments` match `pattern`; appends its parameters to `params` when they do.
bool match_segments(const std::vector<pattern_segment>& pattern, const path_segments& segments,
                    path_params& params);

std::string allow_text(const std::vector<boost::beast::http::verb>& methods);

}  // namespace detail

/// The ingress's one table of endpoints (routes.cpp fills it). Matching follows Boomi's rules:
/// the most specific pattern wins (at the first depth where two differ, a literal segment beats
/// a parameter, and a parameter beats a rest); then the method picks the route of that pattern,
/// or the match reports the methods it takes (405 with Allow). Built once at start, then read
/// only. Concurrency: match() is thread-safe once building is done.
template <typename Handler>
class route_table {
public:
    /// Throws std::invalid_argument for a malformed pattern or a method + pattern added twice.
    void add(boost::beast::http::verb method, std::string_view pattern, route_role role,
             web_service service, Handler handler) {
        auto segments = detail::parse_pattern(pattern);
        for (auto& group : groups_) {
            if (group.pattern != pattern) continue;
            for (const auto& r : group.routes) {
                if (r.method == method) {
                    throw std::invalid_argument("route added twice: " + std::string(pattern));
                }
            }
            group.routes.push_back(
                {method, std::string(pattern), role, service, std::move(handler)});
            return;
        }
        const auto rank = detail::specificity(segments);
        groups_.push_back({std::string(pattern), std::move(segments), rank, {}});
        groups_.back().routes.push_back(
            {method, std::string(pattern), role, service, std::move(handler)});
    }

    /// `path`: the percent-decoded path of the request target, without the query.
    route_match<Handler> match(boost::beast::http::verb method, std::string_view path) const {
        route_match<Handler> out;
        std::string_view matrix;
        const auto segments = detail::split_path(path, matrix);
        const group* best = nullptr;
        path_params params;
        for (const auto& g : groups_) {
            if (best && g.specificity <= best->specificity) continue;
            params.clear();
            if (!detail::match_segments(g.segments, segments, params)) continue;
            best = &g;
            out.params.swap(params);
        }
        if (!best) return out;
        out.matrix = std::string(matrix);
        out.shape = &best->routes.front();
        std::vector<boost::beast::http::verb> methods;
        for (const auto& r : best->routes) {
            if (r.method == method) out.found = &r;
            methods.push_back(r.method);
        }
        if (!out.found) out.allow = detail::allow_text(methods);
        return out;
    }

    /// Every route, in the order added (for listings and the docs' endpoint table).
    std::vector<const route<Handler>*> routes() const {
        std::vector<const route<Handler>*> out;
        for (const auto& g : groups_) {
            for (const auto& r : g.routes) out.push_back(&r);
        }
        return out;
    }

private:
    struct group {
        std::string pattern;
        std::vector<detail::pattern_segment> segments;
        std::uint64_t specificity = 0;
        std::vector<route<Handler>> routes;
    };
    std::vector<group> groups_;
};

}  // namespace ferry::ingress
