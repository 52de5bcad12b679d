#include "console/page.hpp"

#include "console/html.hpp"
#include "version.hpp"

namespace ferry::ingress::console {
namespace {

struct nav_entry {
    section which;
    std::string_view name;
    std::string_view href;
};

constexpr nav_entry navigation[] = {
    {section::overview, "Overview", "/_console/"},
    {section::processes, "Processes", "/_console/processes"},
    {section::listeners, "Listeners", "/_console/listeners"},
    {section::executions, "Executions", "/_console/executions"},
    {section::replays, "Replays", "/_console/replays"},
    {section::queues, "Queues", "/_console/queues"},
    {section::apis, "APIs", "/_console/apis"},
    {section::runtimes, "Runtimes", "/_console/runtimes"},
};

}  // namespace

void add_console_headers(response& res) {
    res.set(http::field::server, "ferry");
    res.set("Content-Security-Policy",
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "same-origin");
    res.set(http::field::cache_control, "no-store");
}

response page_response(const routed_request& r, section current, std::string_view title,
                       std::string_view body, http::status status) {
    std::string html;
    html.reserve(body.size() + 2048);
    html +=
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>";
    html += escape(title);
    html +=
        " · ferry</title>"
        "<link rel=\"stylesheet\" href=\"/_console/assets/console.css\">"
        "<link rel=\"icon\" href=\"/_console/assets/icon.svg\" type=\"image/svg+xml\">"
        "<script src=\"/_console/assets/console.js\" defer></script></head>\n<body>"
        "<header class=\"top\"><a class=\"brand\" href=\"/_console/\">ferry</a><nav>";
    for (const auto& entry : navigation) {
        html += link(entry.href, entry.name,
                     entry.which == current ? "aria-current=\"page\"" : std::string_view{});
    }
    html += "</nav><span class=\"version\">";
    html += escape(ferry_version());
    if (!r.user.empty()) html += " · " + escape(r.user);
    html += "</span></header>\n<main><h1>";
    html += escape(title);
    html += "</h1>\n";
    html += body;
    html += "</main></body></html>\n";
    response res{status, r.req.version()};
    res.set(http::field::content_type, "text/html; charset=utf-8");
    add_console_headers(res);
    res.keep_alive(r.req.keep_alive());
    res.body() = std::move(html);
    res.prepare_payload();
    return res;
}

response error_page(const routed_request& r, section current, http::status status,
                    std::string_view error, std::string_view detail) {
    std::string body =
        "<p class=\"problem\">" + tag("strong", error) + " " + escape(detail) + "</p>";
    return page_response(r, current, std::string(http::obsolete_reason(status)), body, status);
}

}  // namespace ferry::ingress::console
