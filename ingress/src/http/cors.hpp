#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "ferry/ingress/server.hpp"
#include "service.hpp"

namespace ferry::ingress {

/// The first rule whose origin pattern matches `origin` (case-insensitive; `*` matches any
/// run of characters, `?` one), or null.
const cors_rule* find_cors_rule(const std::vector<cors_rule>& rules, std::string_view origin);

/// Whether the request is a CORS preflight (OPTIONS with Origin and
/// Access-Control-Request-Method).
bool is_preflight(const http::request_header<>& req);

/// The answer to a preflight, without authentication: 204 with the rule's permissions, or
/// 403 cors_not_allowed saying which part (origin, method, header) no rule allows.
response answer_preflight(const http::request_header<>& req, const std::vector<cors_rule>& rules);

/// Adds the CORS headers of `rule` for `origin` to an actual (not preflight) response.
void add_cors_headers(response& res, const cors_rule& rule, std::string_view origin);

}  // namespace ferry::ingress
