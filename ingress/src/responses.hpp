#pragma once

#include <string>
#include <string_view>

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

}  // namespace ferry::ingress
