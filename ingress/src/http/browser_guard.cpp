#include "http/browser_guard.hpp"

#include <boost/algorithm/string/predicate.hpp>

#include "http/responses.hpp"

namespace ferry::ingress {
namespace {

// "https://host:port" of a URL ("https://host:port/base/path").
std::string_view origin_of(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    const auto path = url.find('/', scheme + 3);
    return path == std::string_view::npos ? url : url.substr(0, path);
}

bool changes_state(http::verb method) {
    return method != http::verb::get && method != http::verb::head && method != http::verb::options;
}

}  // namespace

std::optional<response> refuse_cross_site(const http::request_header<>& req, bool tls,
                                          std::string_view link_base) {
    if (!changes_state(req.method())) return std::nullopt;
    const auto origin = std::string_view(req[http::field::origin]);
    const auto fetch_site = std::string_view(req["Sec-Fetch-Site"]);
    if (origin.empty() && fetch_site.empty()) return std::nullopt;  // not a browser
    const auto refuse = [&](std::string_view detail) {
        return error_response(http::status::forbidden, "cross_site_request", detail, req.version());
    };
    if (!fetch_site.empty() && fetch_site != "same-origin" && fetch_site != "none") {
        return refuse(
            "a browser may change state here only from this server's own pages (Sec-Fetch-Site: " +
            std::string(fetch_site) + ")");
    }
    if (!origin.empty()) {
        const std::string own =
            std::string(tls ? "https://" : "http://") + std::string(req[http::field::host]);
        const auto external = origin_of(link_base);
        if (!boost::algorithm::iequals(origin, own) &&
            (external.empty() || !boost::algorithm::iequals(origin, external))) {
            return refuse(
                "a browser may change state here only from this server's own pages, not from " +
                std::string(origin));
        }
    }
    if (req["X-Ferry-Console"] != "1") {
        return refuse(
            "a state-changing request from a browser needs the header X-Ferry-Console: 1 (the "
            "console's script sends it)");
    }
    return std::nullopt;
}

}  // namespace ferry::ingress
