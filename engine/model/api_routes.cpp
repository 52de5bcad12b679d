#include "ferry/engine/model/api_routes.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <string>

namespace ferry::engine {
namespace {

std::vector<std::string_view> segments_of(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

/// How specifically `route` matches `request` (a literal at a depth ranks above a parameter
/// there, compared from the left); empty when it does not match.
std::optional<std::vector<bool>> specificity(const api_route& route,
                                             const std::vector<std::string_view>& request) {
    if (route.segments.size() != request.size()) return std::nullopt;
    std::vector<bool> literal;
    literal.reserve(request.size());
    for (std::size_t i = 0; i < request.size(); ++i) {
        const auto& s = route.segments[i];
        if (s.parameter) {
            if (request[i].empty()) return std::nullopt;
            literal.push_back(false);
        } else {
            if (s.text != request[i]) return std::nullopt;
            literal.push_back(true);
        }
    }
    return literal;
}

// Whether the request carries each of the route's routing headers with its value.
bool headers_hold(const api_route& route, const api_routes::header_lookup& header) {
    for (const auto& [name, value] : route.headers) {
        if (!header || header(name) != value) return false;
    }
    return true;
}

}  // namespace

api_routes::api_routes(std::vector<std::shared_ptr<const api_definition>> apis)
    : apis_(std::move(apis)) {
    std::stable_sort(apis_.begin(), apis_.end(), [](const auto& a, const auto& b) {
        return segments_of(a->base_path).size() > segments_of(b->base_path).size();
    });
}

api_dispatch api_routes::dispatch(std::string_view method, std::string_view path,
                                  const header_lookup& header) const {
    const auto request = segments_of(path);
    for (const auto& api : apis_) {
        const auto base = segments_of(api->base_path);
        if (request.size() < base.size() ||
            !std::equal(base.begin(), base.end(), request.begin())) {
            continue;
        }
        // The longest base path that starts the path is the API; its routes alone decide.
        const std::vector<std::string_view> below(
            request.begin() + static_cast<std::ptrdiff_t>(base.size()), request.end());
        const api_route* best = nullptr;
        std::vector<bool> best_rank;
        std::set<std::string> allow;
        for (const auto& route : api->routes) {
            auto rank = specificity(route, below);
            if (!rank || !headers_hold(route, header)) continue;
            allow.insert(route.method);
            if (route.method != method) continue;
            // Routing headers decide between routes of the same specificity.
            rank->insert(rank->end(), route.headers.size(), true);
            if (best == nullptr || *rank > best_rank) {
                best = &route;
                best_rank = std::move(*rank);
            }
        }
        if (best == nullptr) {
            if (!allow.empty()) return api_method_not_allowed{api, {allow.begin(), allow.end()}};
            return api_not_found{api};
        }
        api_match match{api, best, {}, {}};
        for (std::size_t i = 0; i < below.size(); ++i) {
            if (best->segments[i].parameter) {
                match.parameters.emplace(best->segments[i].text, std::string(below[i]));
            }
            match.path += (i == 0 ? "" : "/") + std::string(below[i]);
        }
        return match;
    }
    return api_not_found{};
}

}  // namespace ferry::engine
