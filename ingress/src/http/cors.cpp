#include "http/cors.hpp"

#include <boost/beast/http/rfc7230.hpp>
#include <string>

#include "ferry/engine/ascii_case.hpp"
#include "ferry/engine/model/wildcard.hpp"
#include "http/responses.hpp"
#include "services/submit_answers.hpp"

namespace ferry::ingress {
namespace {

using engine::equals_ignoring_case;

std::string lowered(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
}

bool listed(const std::vector<std::string>& list, std::string_view item) {
    for (const auto& entry : list) {
        if (entry == "*" || equals_ignoring_case(entry, item)) return true;
    }
    return false;
}

// Request headers a browser may send cross-origin without asking (Fetch standard).
bool safelisted(std::string_view header) {
    return equals_ignoring_case(header, "accept") ||
           equals_ignoring_case(header, "accept-language") ||
           equals_ignoring_case(header, "content-language") ||
           equals_ignoring_case(header, "content-type");
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += item;
    }
    return out;
}

// "*" only for a wildcard rule without credentials: browsers refuse "*" with credentials.
std::string allowed_origin(const cors_rule& rule, std::string_view origin) {
    return rule.origin == "*" && !rule.credentials ? "*" : std::string(origin);
}

response refuse(const http::request_header<>& req, std::string detail) {
    return error_response(http::status::forbidden, "cors_not_allowed", detail, req.version(),
                          keeps_alive(req));
}

}  // namespace

const cors_rule* find_cors_rule(const std::vector<cors_rule>& rules, std::string_view origin) {
    if (origin.empty()) return nullptr;
    for (const auto& rule : rules) {
        if (engine::wildcard_match(lowered(origin), lowered(rule.origin))) return &rule;
    }
    return nullptr;
}

bool is_preflight(const http::request_header<>& req) {
    return req.method() == http::verb::options && req.find(http::field::origin) != req.end() &&
           req.find(http::field::access_control_request_method) != req.end();
}

response answer_preflight(const http::request_header<>& req, const std::vector<cors_rule>& rules) {
    const auto origin = std::string_view(req[http::field::origin]);
    const auto* rule = find_cors_rule(rules, origin);
    if (!rule) return refuse(req, "no CORS rule allows the origin " + std::string(origin));
    const auto method = std::string_view(req[http::field::access_control_request_method]);
    if (!listed(rule->methods, method)) {
        return refuse(req, "the CORS rule for " + std::string(origin) + " does not allow " +
                               std::string(method) + " (allowed: " + joined(rule->methods) + ")");
    }
    const auto asked = std::string_view(req[http::field::access_control_request_headers]);
    for (const auto header : http::token_list(asked)) {
        const auto name = std::string_view(header.data(), header.size());
        if (!safelisted(name) && !listed(rule->headers, name)) {
            return refuse(req, "the CORS rule for " + std::string(origin) +
                                   " does not allow the request header " + std::string(name));
        }
    }
    response res{http::status::no_content, req.version()};
    res.set(http::field::server, "ferry");
    res.set(http::field::access_control_allow_origin, allowed_origin(*rule, origin));
    res.set(http::field::access_control_allow_methods, joined(rule->methods));
    if (!asked.empty()) res.set(http::field::access_control_allow_headers, asked);
    if (rule->credentials) res.set(http::field::access_control_allow_credentials, "true");
    res.set(http::field::access_control_max_age, std::to_string(rule->max_age_seconds));
    res.set(http::field::vary,
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    res.keep_alive(keeps_alive(req));
    return res;
}

void add_cors_headers(response& res, const cors_rule& rule, std::string_view origin) {
    res.set(http::field::access_control_allow_origin, allowed_origin(rule, origin));
    if (rule.credentials) res.set(http::field::access_control_allow_credentials, "true");
    if (!rule.expose_headers.empty()) {
        res.set(http::field::access_control_expose_headers, joined(rule.expose_headers));
    }
    res.set(http::field::vary, "Origin");
}

}  // namespace ferry::ingress
