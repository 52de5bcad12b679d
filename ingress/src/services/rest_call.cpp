#include "services/rest_call.hpp"

#include <boost/url/pct_string_view.hpp>
#include <chrono>
#include <cstdio>
#include <string_view>

#include "http/responses.hpp"
#include "service.hpp"
#include "services/submit_answers.hpp"

namespace ferry::ingress {
namespace {

constexpr std::string_view rest_prefix = "/ws/rest/";

std::string decoded(std::string_view encoded) {
    const auto pct = boost::urls::make_pct_string_view(encoded);
    return pct ? pct->decode() : std::string(encoded);
}

// The date of today (UTC) as YYYY-MM-DD, which orders like the dates it is compared with.
std::string today() {
    const std::chrono::year_month_day day{
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()),
                  static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
    return text;
}

// "2027-06-30" as an HTTP-date at midnight UTC: "Wed, 30 Jun 2027 00:00:00 GMT".
std::string http_date(const std::string& date) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    if (std::sscanf(date.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return date;
    const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                          std::chrono::day(d)};
    const std::chrono::weekday weekday{std::chrono::sys_days(ymd)};
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char text[40];
    std::snprintf(text, sizeof text, "%s, %02u %s %04d 00:00:00 GMT", days[weekday.c_encoding()], d,
                  months[(m - 1) % 12], y);
    return text;
}

std::string described(const engine::api_definition& api) {
    return "API '" + api.name + "' version " + std::to_string(api.version) + " (base path " +
           api.base_path + ")";
}

}  // namespace

bool past_sunset(const engine::api_definition& api) {
    return api.deprecated && !api.deprecated->sunset.empty() && today() >= api.deprecated->sunset;
}

void add_deprecation_headers(response& res, const engine::api_definition& api) {
    if (!api.deprecated) return;
    res.set("Deprecation", "true");
    if (!api.deprecated->sunset.empty()) res.set("Sunset", http_date(api.deprecated->sunset));
    if (!api.deprecated->successor.empty()) {
        const auto link = "</ws/rest/" + api.deprecated->successor + ">; rel=\"successor-version\"";
        const auto existing = res[http::field::link];
        res.set(http::field::link, existing.empty() ? link : std::string(existing) + ", " + link);
    }
}

std::optional<response> route_api_soap_call(simple_call& call, std::string_view base_path,
                                            const boost::beast::http::request_header<>& req,
                                            service& svc) {
    const auto endpoint =
        std::string(call.protocol == web_service::soap11 ? "/ws/soap/" : "/ws/soap12/") +
        std::string(base_path);
    auto api = svc.gateway->current_registry()->api_at(base_path);
    if (!api || api->soap_operations.empty()) {
        return error_response(
            http::status::not_found, "not_found",
            api ? described(*api) + " has no SOAP operations" : "no API serves SOAP at " + endpoint,
            req.version(), keeps_alive(req));
    }
    if (past_sunset(*api)) {
        auto res = error_response(http::status::gone, "api_sunset",
                                  described(*api) + " was retired on " + api->deprecated->sunset,
                                  req.version(), keeps_alive(req));
        add_deprecation_headers(res, *api);
        return res;
    }
    call.process_props.insert_or_assign("inpath", endpoint);
    call.process_props.insert_or_assign("api", api->name);
    call.process_props.insert_or_assign("api_version", std::to_string(api->version));
    call.soap_api = std::move(api);
    return std::nullopt;
}

std::optional<response> route_rest_call(simple_call& call,
                                        const boost::beast::http::request_header<>& req,
                                        const boost::urls::url_view& target, service& svc) {
    const auto version = req.version();
    const bool keep_alive = keeps_alive(req);
    auto path = std::string_view(target.encoded_path());
    if (!path.starts_with(rest_prefix)) {
        return error_response(http::status::not_found, "not_found",
                              "no API serves " + decoded(path), version, keep_alive);
    }
    path.remove_prefix(rest_prefix.size());
    // The last segment's matrix parameters (;auth=) take no part in routing.
    const auto last = path.rfind('/');
    if (const auto semi = path.find(';', last == std::string_view::npos ? 0 : last + 1);
        semi != std::string_view::npos) {
        path = path.substr(0, semi);
    }
    // An API's OpenAPI document: <base path>/openapi.json (or .yaml); no route can be named so.
    if (req.method() == http::verb::get) {
        for (const std::string_view name : {"/openapi.json", "/openapi.yaml"}) {
            if (!path.ends_with(name)) continue;
            const auto base_path = decoded(path.substr(0, path.size() - name.size()));
            if (auto api = svc.gateway->current_registry()->api_at(base_path)) {
                call.openapi_of = std::move(api);
                call.openapi_yaml = name.ends_with("yaml");
                return std::nullopt;
            }
        }
    }
    auto found = svc.gateway->find_api_route(
        req.method_string(), path,
        [&req](std::string_view name) { return std::string_view(req[name]); });
    if (auto* missing = std::get_if<engine::api_not_found>(&found.route)) {
        const auto where = "/ws/rest/" + decoded(path);
        return error_response(http::status::not_found, "not_found",
                              missing->api ? described(*missing->api) + " has no route " +
                                                 std::string(req.method_string()) + " " + where
                                           : "no API serves " + where,
                              version, keep_alive);
    }
    if (auto* other = std::get_if<engine::api_method_not_allowed>(&found.route)) {
        std::string allow;
        for (const auto& m : other->allow) allow += (allow.empty() ? "" : ", ") + m;
        auto res =
            error_response(http::status::method_not_allowed, "method_not_allowed",
                           "/ws/rest/" + decoded(path) + " takes " + allow, version, keep_alive);
        res.set(http::field::allow, allow);
        add_deprecation_headers(res, *other->api);
        return res;
    }
    auto& match = std::get<engine::api_match>(found.route);
    const auto& api = *match.api;
    if (past_sunset(api)) {
        auto res =
            error_response(http::status::gone, "api_sunset",
                           described(api) + " was retired on " + api.deprecated->sunset +
                               (api.deprecated->successor.empty()
                                    ? std::string()
                                    : "; its successor is /ws/rest/" + api.deprecated->successor),
                           version, keep_alive);
        add_deprecation_headers(res, api);
        return res;
    }
    auto& props = call.process_props;
    for (const auto& [name, value] : match.parameters) {
        props.insert_or_assign("param_" + name, decoded(value));
    }
    props.insert_or_assign(
        "inpath", "/" + api.base_path + (match.path.empty() ? "" : "/" + decoded(match.path)));
    for (const auto& header : api.headers) {
        if (const auto value = req[header]; !value.empty()) {
            props.insert_or_assign("inheader_" + header, std::string(value));
        }
    }
    props.insert_or_assign("api", api.name);
    props.insert_or_assign("api_version", std::to_string(api.version));
    call.operation = match.route->operation;
    call.served = std::move(found.served);
    call.api = std::move(match);
    return std::nullopt;
}

}  // namespace ferry::ingress
