#include "ferry/ingress/listener_spec.hpp"

#include <boost/url/parse.hpp>
#include <charconv>

namespace ferry::ingress {
namespace {

template <class Number>
bool parse_number(std::string_view text, Number& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::variant<listener_settings, std::string> parse_listener(std::string_view text,
                                                            const listener_settings& defaults) {
    const auto url = boost::urls::parse_absolute_uri(text);
    const std::string quoted = "'" + std::string(text) + "'";
    if (!url) return quoted + " is not a listener URL such as http://127.0.0.1:9090";
    listener_settings l = defaults;
    const std::string scheme = url->scheme();
    if (scheme != "http" && scheme != "https") {
        return quoted + ": the scheme must be http or https";
    }
    if (!url->has_port() || url->port().empty()) return quoted + " needs a port (0: any free one)";
    if (!parse_number(url->port(), l.port)) return quoted + ": the port is not a number";
    std::string host(url->encoded_host());
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (host.empty()) return quoted + " needs an address to bind";
    l.address = host;
    std::optional<tls_settings> tls;
    if (scheme == "https") tls.emplace();
    for (const auto& param : url->params()) {
        const std::string key = param.key;
        const std::string value = param.value;
        const auto https_only = [&]() -> std::optional<std::string> {
            if (!tls) return quoted + ": " + key + " applies to https listeners only";
            return std::nullopt;
        };
        if (key == "cert" || key == "key" || key == "client_ca") {
            if (auto e = https_only()) return *e;
            (key == "cert"  ? tls->certificate_file
             : key == "key" ? tls->private_key_file
                            : tls->client_ca_file) = value;
        } else if (key == "role") {
            if (value == "all") {
                l.role = listener_role::all;
            } else if (value == "services") {
                l.role = listener_role::services;
            } else if (value == "admin") {
                l.role = listener_role::admin;
            } else {
                return quoted + ": role must be all, services or admin";
            }
        } else if (key == "max_connections") {
            if (!parse_number(value, l.max_connections) || l.max_connections == 0) {
                return quoted + ": max_connections must be a positive number";
            }
        } else if (key == "rate_limit" || key == "rate_burst") {
            double number = 0;
            if (!parse_number(value, number) || number < 0) {
                return quoted + ": " + key + " must be a number of requests per second, at least 0";
            }
            (key == "rate_limit" ? l.rate_limit : l.rate_burst) = number;
        } else {
            return quoted + ": unknown setting '" + key +
                   "' (cert, key, client_ca, role, max_connections, rate_limit, rate_burst)";
        }
    }
    if (tls && (tls->certificate_file.empty() || tls->private_key_file.empty())) {
        return quoted + ": an https listener needs cert=FILE and key=FILE";
    }
    l.tls = std::move(tls);
    return l;
}

}  // namespace ferry::ingress
