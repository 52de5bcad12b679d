#include "http/responses.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "ferry/profiles/utf8.hpp"

namespace ferry::ingress {

response json_response(http::status status, std::string body, unsigned version, bool keep_alive) {
    response res{status, version};
    res.set(http::field::server, "ferry");
    res.set(http::field::content_type, "application/json");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

response error_response(http::status status, std::string_view error, std::string_view detail,
                        unsigned version, bool keep_alive) {
    boost::json::object body;
    body["error"] = error;
    body["detail"] = profiles::as_utf8(detail);  // it may quote the request
    return json_response(status, boost::json::serialize(body), version, keep_alive);
}

response input_error_response(const engine::input_error& e, unsigned version, bool keep_alive) {
    boost::json::object body;
    body["error"] = e.error;
    body["detail"] = e.detail;
    if (const auto& p = e.problem) {
        body["problem"] = {{"profile", p->profile}, {"document", p->document}, {"path", p->path},
                           {"line", p->line},       {"column", p->column},     {"rule", p->rule}};
    }
    return json_response(static_cast<http::status>(e.status), boost::json::serialize(body), version,
                         keep_alive);
}

response parse_failure(const boost::system::error_code& ec) {
    if (ec == boost::beast::http::error::body_limit) {
        return error_response(http::status::payload_too_large, "body_too_large",
                              "the request body exceeds the limit of this server");
    }
    if (ec == boost::beast::http::error::header_limit) {
        return error_response(http::status::request_header_fields_too_large, "header_too_large",
                              "the request header exceeds the limit of this server");
    }
    return error_response(http::status::bad_request, "malformed_http",
                          "the request is not valid HTTP/1.1: " + ec.message());
}

response refusal_response(const engine::refusal& r, const request& req) {
    using engine::errc;
    auto status = http::status::conflict;
    switch (r.code) {
        case errc::invalid_definition:
        case errc::version_needs_process:
            status = http::status::bad_request;
            break;
        case errc::too_many_jobs:
            status = http::status::too_many_requests;
            break;
        case errc::shutting_down:
        case errc::cluster_unavailable:
            status = http::status::service_unavailable;
            break;
        case errc::unknown_process:
        case errc::unknown_version:
        case errc::unknown_listener:
        case errc::unknown_execution:
        case errc::unknown_dead_letter:
        case errc::unknown_api:
            status = http::status::not_found;
            break;
        case errc::storage_error:
            status = http::status::internal_server_error;
            break;
        default:
            break;
    }
    auto res = error_response(status, r.name(), r.detail, req.version(), req.keep_alive());
    if (r.code == errc::cluster_unavailable) res.set(http::field::retry_after, "1");
    return res;
}

response method_not_allowed(const request& req, std::string_view allowed) {
    auto res = error_response(
        http::status::method_not_allowed, "method_not_allowed",
        std::string(req.method_string()) + " is not allowed here; use " + std::string(allowed),
        req);
    res.set(http::field::allow, allowed);
    return res;
}

bool is_parse_error(const boost::system::error_code& ec) {
    using boost::beast::http::error;
    return ec &&
           ec.category() == boost::beast::http::make_error_code(error::bad_target).category() &&
           ec != error::end_of_stream && ec != error::partial_message && ec != error::need_more &&
           ec != error::need_buffer;
}

}  // namespace ferry::ingress
