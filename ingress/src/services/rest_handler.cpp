// /ws/rest/<base path>/<route path>: a call of an API's REST route (docs/apis.md). The
// connection already found the route (route_rest_call); here the request is checked against
// it (query parameters, Content-Type, Accept) and handed to its operation like a simple call.
#include <boost/beast/core/string.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>

#include "access.hpp"
#include "ferry/engine/apis/openapi.hpp"
#include "ferry/engine/execute/route_reply.hpp"
#include "ferry/engine/intake/request_documents.hpp"
#include "http/responses.hpp"
#include "services/media_types.hpp"
#include "services/rest_call.hpp"
#include "services/submit_answers.hpp"
#include "services/web_services.hpp"

namespace ferry::ingress {
namespace {

using engine::data_type;
using engine::query_parameter;

std::string_view type_name(query_parameter::type t) {
    switch (t) {
        case query_parameter::type::integer:
            return "an integer";
        case query_parameter::type::number:
            return "a number";
        case query_parameter::type::boolean:
            return "true or false";
        case query_parameter::type::string:
            break;
    }
    return "a string";
}

bool fits(query_parameter::type t, const std::string& value) {
    switch (t) {
        case query_parameter::type::integer: {
            const auto digits = value.starts_with('-') ? value.substr(1) : value;
            return !digits.empty() && digits.size() <= 18 &&
                   digits.find_first_not_of("0123456789") == std::string::npos;
        }
        case query_parameter::type::number: {
            if (value.empty()) return false;
            char* end = nullptr;
            std::strtod(value.c_str(), &end);
            return *end == '\0';
        }
        case query_parameter::type::boolean:
            return value == "true" || value == "false";
        case query_parameter::type::string:
            break;
    }
    return true;
}

// 400 for a declared query parameter that is missing or not of its type.
std::optional<response> check_query(const engine::api_route& route,
                                    const boost::urls::url_view& target, const request& req) {
    for (const auto& [name, declared] : route.query) {
        const auto it = target.params().find(name);
        if (it == target.params().end()) {
            if (!declared.required) continue;
            return error_response(http::status::bad_request, "missing_query_parameter",
                                  "the query parameter '" + name + "' is required", req);
        }
        const auto value = std::string((*it).value);
        if (!fits(declared.kind, value)) {
            return error_response(http::status::bad_request, "invalid_query_parameter",
                                  "the query parameter '" + name + "' must be " +
                                      std::string(type_name(declared.kind)) + ", not '" + value +
                                      "'",
                                  req);
        }
    }
    return std::nullopt;
}

boost::asio::awaitable<response> serve_route(routed_request& r) {
    auto& req = r.req;
    auto& call = *r.call;
    const auto& route = *call.api->route;
    const auto& served = call.served.process;
    if (!served) {
        co_return error_response(
            http::status::not_found, "unknown_operation",
            "no deployed process serves the operation '" + route.operation + "' of this route",
            req);
    }
    // The next page of a long list comes before the route's own checks: the token is all the
    // caller sends.
    if (const auto token = r.target.params().find("moreDataToken");
        req.method() == http::verb::get && token != r.target.params().end()) {
        co_return co_await page_by_token(std::move(req), std::string((*token).value), r.svc);
    }
    if (auto bad = check_query(route, r.target, req)) co_return std::move(*bad);

    // The route's overrides of its operation (input here, the reply in the execution too).
    auto routed = engine::with_route_reply(served, [&] {
        store::properties reply;
        engine::set_route_reply(route, reply);
        return reply;
    }());
    const auto input =
        route.input.empty() ? routed->listen.input : *engine::parse_data_type(route.input);
    engine::set_route_reply(route, call.process_props);

    const bool has_body = !req.body().empty();
    const auto content_type = std::string_view(req[http::field::content_type]);
    if (has_body && !content_type.empty() && !accepts_body(input, content_type)) {
        co_return error_response(http::status::unsupported_media_type, "unsupported_media_type",
                                 "this route takes " + std::string(body_media_type(input)) +
                                     ", not " + std::string(content_type),
                                 req);
    }
    const auto answers_with = reply_media_type(*routed);
    if (const auto accept = std::string_view(req[http::field::accept]);
        !accept.empty() && !acceptable(accept, answers_with)) {
        co_return error_response(http::status::not_acceptable, "not_acceptable",
                                 "this route answers " + answers_with +
                                     ", which Accept: " + std::string(accept) + " does not take",
                                 req);
    }

    engine::submission s;
    engine::request_fingerprint fingerprint;
    if (auto bad = read_idempotency_key(req, routed->listen.operation_name(), s, fingerprint)) {
        co_return std::move(*bad);
    }
    if (!s.idempotency_key.empty()) {
        fingerprint.add(req.body());
        s.fingerprint = fingerprint.hex();
    }
    auto header_props = request_header_properties(req);
    // A route without a body (GET orders/{orderId}) starts its process with one empty
    // document, whatever its operation takes.
    auto documents = engine::split_request(has_body ? input : data_type::single_data,
                                           std::move(req.body()), content_type);
    if (!documents) co_return input_error_response(documents.error(), req);
    for (auto& doc : *documents) doc.props.insert(header_props.begin(), header_props.end());
    // The route's own request profile, or the operation's, refuses what does not fit.
    if (has_body) {
        auto checked = routed->listen;
        if (route.request_validator) checked.request_profile = route.request_validator;
        if (auto bad = engine::check_request_profile(checked, *documents)) {
            co_return input_error_response(*bad, req);
        }
    }
    s.process_props = std::move(call.process_props);
    s.documents = std::move(*documents);
    co_return co_await run_operation(std::move(req), std::move(s), *routed, r.svc,
                                     /*profile_checked=*/true);
}

// GET <base path>/openapi.json | openapi.yaml: the API's OpenAPI document, listing the routes
// this caller may call, with the server as callers reach it.
response openapi_document(const routed_request& r) {
    const auto& call = *r.call;
    engine::openapi_options options;
    options.server_url = call.base_url;
    switch (r.svc.settings.auth) {
        case authentication::basic:
            options.security = engine::openapi_security::basic;
            break;
        case authentication::client_cert:
            options.security = engine::openapi_security::client_certificate;
            break;
        case authentication::none:
            break;
    }
    options.may_call = [&](std::string_view operation) {
        return may_call(r.svc, r.user, operation);
    };
    const auto document =
        engine::write_openapi(*call.openapi_of, *r.svc.gateway->current_registry(), options);
    response res{http::status::ok, r.req.version()};
    res.set(http::field::server, "ferry");
    res.set(http::field::content_type,
            call.openapi_yaml ? "application/yaml; charset=utf-8" : "application/json");
    res.keep_alive(r.req.keep_alive());
    res.body() = call.openapi_yaml ? engine::yaml_text(document) : boost::json::serialize(document);
    res.prepare_payload();
    return res;
}

}  // namespace

boost::asio::awaitable<response> rest_call(routed_request r) {
    auto& call = *r.call;
    if (call.openapi_of) {
        auto res = openapi_document(r);
        add_deprecation_headers(res, *call.openapi_of);
        co_return res;
    }
    call.process_props["inuser"] = r.user;
    in_flight_guard guard(r.svc);
    const auto api = call.api->api;  // the definition outlives a redeploy during the call
    if (api->deprecated) r.svc.deprecated.count(api->name, api->version, r.user);
    const auto served = call.served.process;
    const bool get = r.req.method() == http::verb::get;
    auto target = std::string(r.req.target());
    response res;
    if (auto refused = not_serving(r.req, r.svc.state.load())) {
        res = std::move(*refused);
    } else {
        res = co_await serve_route(r);
    }
    // A GET route's list pages are fetched at the route's own path; other routes keep the
    // /ws/simple link of the reply (their path takes no GET).
    if (get && served) {
        const auto link = std::string(res[http::field::link]);
        const auto simple = "</ws/simple/" + served->listen.operation_name() + "?";
        if (link.starts_with(simple)) {
            res.set(http::field::link,
                    "<" + target.substr(0, target.find('?')) + "?" + link.substr(simple.size()));
        }
    }
    add_deprecation_headers(res, *api);
    co_return res;
}

}  // namespace ferry::ingress
