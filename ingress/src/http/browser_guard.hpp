#pragma once

#include <optional>

#include "service.hpp"

namespace ferry::ingress {

/// Guards the admin API against cross-site requests (docs/security.md, "The console"): a
/// browser resends Basic credentials by itself, so a page of another site could otherwise make
/// an operator's browser pause, deploy or replay. A state-changing request (not GET, HEAD or
/// OPTIONS) that comes from a browser (it carries Origin or Sec-Fetch-Site) must come from this
/// server's own origin and carry `X-Ferry-Console: 1`, a header no cross-site form can set and
/// no cross-site script can send without a CORS preflight that names it. Clients that are not
/// browsers (the ferry CLI, curl, scripts) send neither header and are not affected.
/// `link_base`: the external base URL of the request ("" when none), also an own origin.
std::optional<response> refuse_cross_site(const http::request_header<>& req, bool tls,
                                          std::string_view link_base);

}  // namespace ferry::ingress
