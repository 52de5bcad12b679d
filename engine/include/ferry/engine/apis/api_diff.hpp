#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

namespace ferry::engine {

/// One difference between two OpenAPI documents of an API, and whether callers written
/// against the old one break on it.
struct api_change {
    std::string where;  // "GET /orders/{orderId}", "GET /orders/{orderId} 200 body /total"
    std::string what;   // "removed", "type changed from string to integer", ...
    bool breaking = false;
};

/// What changed from `before` to `after` (OpenAPI documents as write_openapi makes them), in
/// path order (docs/apis.md, "Breaking changes"). Breaking: a route removed; a parameter
/// added as required, made required or retyped; a request body that must now hold a field
/// it did not, or may no longer hold one, or whose types or bounds narrowed; an answer that
/// no longer holds a field (or no longer always), retypes one, or comes with another status
/// or media type. Adding routes, optional parameters and answer fields is not breaking.
std::vector<api_change> diff_openapi(const boost::json::object& before,
                                     const boost::json::object& after);

}  // namespace ferry::engine
