#pragma once

#include <string>
#include <string_view>

#include "routes.hpp"
#include "service.hpp"

namespace ferry::ingress::console {

/// The console's pages, in the order of its navigation.
enum class section { overview, processes, listeners, executions, replays, queues, apis, runtimes };

/// A whole page: the shared navigation (`current` marked), the title and `body` (HTML, its data
/// escaped), as a response with the console's security headers.
response page_response(const routed_request& r, section current, std::string_view title,
                       std::string_view body, http::status status = http::status::ok);

/// A page that says what went wrong (the admin API's error and detail), with its status.
response error_page(const routed_request& r, section current, http::status status,
                    std::string_view error, std::string_view detail);

/// The console's headers on any of its answers: a Content-Security-Policy of 'self' only (no
/// inline script or style runs), no framing, no sniffing, no caching.
void add_console_headers(response& res);

}  // namespace ferry::ingress::console
