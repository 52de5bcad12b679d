#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "ferry/engine/model/api_definition.hpp"
#include "ferry/engine/model/registry.hpp"

namespace ferry::engine {

/// How the web server identifies callers, as an OpenAPI document states it.
enum class openapi_security { none, basic, client_certificate };

struct openapi_options {
    /// What callers reach the server at ("https://api.example.com"), without a trailing '/';
    /// "" for a document whose server URL is relative ("/ws/rest/<base path>").
    std::string server_url;
    openapi_security security = openapi_security::none;
    /// Whether the reader may call an operation: the routes of the others are left out.
    /// Empty: every route is listed.
    std::function<bool(std::string_view operation)> may_call;
};

/// The OpenAPI 3.0.3 document of one API version (docs/apis.md, "OpenAPI"): info from the
/// definition; the server at <server_url>/ws/rest/<base path>, so that `paths` are the route
/// paths; each route with its path, query and header parameters, the request body and the
/// answers of its operation as the route shapes them (schemas from the profiles, the receipt
/// of an operation that answers none, the list and its Link paging), the shared error body
/// for ferry's refusals, Idempotency-Key, Prefer and X-Max-Wait; deprecation; security.
/// `processes` serves the operations (a route whose operation is not served is left out).
boost::json::object write_openapi(const api_definition& api, const registry& processes,
                                  const openapi_options& options);

/// A JSON value as YAML 1.2 text (block style, every string double-quoted: no value can be
/// misread as another type).
std::string yaml_text(const boost::json::value& value);

}  // namespace ferry::engine
