#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ferry/engine/model/api_definition.hpp"

namespace ferry::engine {

/// A request path matched to a route of an API.
struct api_match {
    std::shared_ptr<const api_definition> api;
    const api_route* route = nullptr;               // within *api
    std::map<std::string, std::string> parameters;  // path parameters, by name (undecoded)
    std::string path;                               // the path from the base path on (inpath)
};

/// The path exists in the API, but not for this method: 405 with `Allow`.
struct api_method_not_allowed {
    std::shared_ptr<const api_definition> api;
    std::vector<std::string> allow;  // the methods that path takes, sorted
};

/// Nothing matched: `api` is set when a base path did (404 naming it).
struct api_not_found {
    std::shared_ptr<const api_definition> api;
};

using api_dispatch = std::variant<api_match, api_method_not_allowed, api_not_found>;

/// The REST routes of the deployed APIs (docs/apis.md, "Dispatch"): the longest base path that
/// starts the request path wins; within its API the most specific route whose path matches
/// (segment by segment from the left, a literal beats a parameter at the same depth) and whose
/// method is the request's.
///
/// Immutable once built; thread-safe.
class api_routes {
public:
    explicit api_routes(std::vector<std::shared_ptr<const api_definition>> apis);

    /// A request header's value ("" when absent), for routing headers.
    using header_lookup = std::function<std::string_view(std::string_view name)>;

    /// `path` is the request path below /ws/rest/, without the query ("orders/v2/orders/7").
    /// A route with routing headers matches only when `header` gives each its value, and then
    /// beats one with fewer at the same specificity.
    api_dispatch dispatch(std::string_view method, std::string_view path,
                          const header_lookup& header = {}) const;

private:
    std::vector<std::shared_ptr<const api_definition>> apis_;  // longest base path first
};

}  // namespace ferry::engine
