#include "http/links.hpp"

#include "ferry/engine/ascii_case.hpp"

namespace ferry::ingress {
namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The first of a comma-separated list (proxies append; the first hop's value counts for
// proto/host, which describe the URL the client used).
std::string_view first_value(std::string_view list) {
    return trimmed(list.substr(0, list.find(',')));
}

// Only characters that can appear in a URL's scheme, authority or path: a forwarded header
// must not smuggle quotes, spaces or '>' into a Link header.
bool url_safe(std::string_view s) {
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') ||
                        std::string_view("-._~:/[]@!$&()*+,;=%").find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

std::string without_trailing_slash(std::string_view s) {
    while (!s.empty() && s.back() == '/') s.remove_suffix(1);
    return std::string(s);
}

}  // namespace

std::string link_base(const http::request_header<>& req, bool tls, const link_settings& links) {
    if (!links.external_base_url.empty()) return without_trailing_slash(links.external_base_url);
    if (!links.trust_forwarded) return {};
    const auto proto = first_value(req["X-Forwarded-Proto"]);
    const auto fwd_host = first_value(req["X-Forwarded-Host"]);
    const auto fwd_port = first_value(req["X-Forwarded-Port"]);
    const auto fwd_prefix = first_value(req["X-Forwarded-Prefix"]);
    const auto request_uri = std::string_view(req["X-Request-Uri"]);
    if (proto.empty() && fwd_host.empty() && fwd_port.empty() && fwd_prefix.empty() &&
        request_uri.empty()) {
        return {};
    }
    const std::string scheme =
        engine::equals_ignoring_case(proto, "https") || (proto.empty() && tls) ? "https" : "http";
    std::string host(fwd_host.empty() ? std::string_view(req[http::field::host]) : fwd_host);
    if (!fwd_port.empty() && host.find(':') == std::string::npos) {
        const bool default_port =
            (scheme == "https" && fwd_port == "443") || (scheme == "http" && fwd_port == "80");
        if (!default_port) host += ":" + std::string(fwd_port);
    }
    std::string prefix(fwd_prefix);
    if (prefix.empty() && !request_uri.empty()) {
        // The proxy was called at X-Request-Uri and forwarded to this request's target: what
        // it put in front of the path is the prefix.
        const auto uri_path = request_uri.substr(0, request_uri.find('?'));
        const auto target = std::string_view(req.target());
        const auto path = target.substr(0, target.find('?'));
        if (uri_path.size() > path.size() && uri_path.ends_with(path)) {
            prefix = std::string(uri_path.substr(0, uri_path.size() - path.size()));
        }
    }
    if (!prefix.empty() && prefix.front() != '/') prefix.insert(0, "/");
    if (host.empty() || !url_safe(host) || !url_safe(prefix)) return {};
    return scheme + "://" + host + without_trailing_slash(prefix);
}

void rebase_links(response& res, std::string_view base) {
    if (base.empty()) return;
    if (const auto link = std::string_view(res[http::field::link]); link.starts_with("</")) {
        res.set(http::field::link, "<" + std::string(base) + std::string(link.substr(1)));
    }
    for (const auto name :
         {std::string_view("X-Execution-Status-Link"), std::string_view("Location")}) {
        if (const auto path = std::string_view(res[name]); path.starts_with("/")) {
            res.set(name, std::string(base) + std::string(path));
        }
    }
}

boost::asio::ip::address client_address(const http::request_header<>& req,
                                        const boost::asio::ip::address& peer,
                                        const link_settings& links) {
    if (!links.trust_forwarded) return peer;
    auto list = std::string_view(req["X-Forwarded-For"]);
    if (list.empty()) return peer;
    const auto last =
        trimmed(list.substr(list.rfind(',') == std::string_view::npos ? 0 : list.rfind(',') + 1));
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string(last), ec);
    return ec ? peer : address;
}

}  // namespace ferry::ingress
