#pragma once

#include <string>
#include <string_view>

#include "ferry/engine/intake/request_documents.hpp"
#include "service.hpp"

namespace ferry::ingress {

/// A JSON response (body already serialised) that mirrors the request's version and keep-alive.
response json_response(http::status status, std::string body, unsigned version, bool keep_alive);

/// `{"error": error, "detail": detail}` with the given status: the shape of every ferry error.
response error_response(http::status status, std::string_view error, std::string_view detail,
                        unsigned version = 11, bool keep_alive = false);

inline response error_response(http::status status, std::string_view error, std::string_view detail,
                               const request& req) {
    return error_response(status, error, detail, req.version(), req.keep_alive());
}

/// A request body that cannot become documents (engine::input_error): its status and error,
/// and for a document that does not fit its profile, a "problem" object with profile,
/// document, path, line, column and rule.
response input_error_response(const engine::input_error& e, unsigned version, bool keep_alive);

inline response input_error_response(const engine::input_error& e, const request& req) {
    return input_error_response(e, req.version(), req.keep_alive());
}

/// 405 method_not_allowed with `Allow: <allowed>`.
response method_not_allowed(const request& req, std::string_view allowed);

/// The engine's refusal of an operator's request: 400 invalid_definition and
/// version_needs_process, 404 unknown_*, 429 too_many_jobs, 500 storage_error, 503
/// shutting_down, else 409 (the state forbids it: version_exists, in_use, ...).
response refusal_response(const engine::refusal& r, const request& req);

/// Whether a read failed because the request is not HTTP (as opposed to a peer that went away
/// mid-request, or a parser that only wants more input or buffer).
bool is_parse_error(const boost::system::error_code& ec);

/// The answer to a request the parser refused: 413, 431 or 400 with the parser's reason.
response parse_failure(const boost::system::error_code& ec);

}  // namespace ferry::ingress
