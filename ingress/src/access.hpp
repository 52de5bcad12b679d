#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include "ferry/ingress/users.hpp"
#include "http/connection_stream.hpp"
#include "service.hpp"
#include "services/web_service_call.hpp"

namespace ferry::ingress {

/// The users file as the server sees it: read at start, read again when it changes (checked
/// at most once a second), so `ferry user ...` takes effect without a restart. A file that
/// turns unreadable keeps the last good users (and says so once in the log).
/// Concurrency: thread-safe.
class user_source {
public:
    /// Throws std::runtime_error when the file exists but cannot be read.
    explicit user_source(std::string path);
    std::shared_ptr<const user_directory> current();

private:
    std::string path_;
    std::mutex mutex_;
    std::shared_ptr<const user_directory> users_;
    std::filesystem::file_time_type seen_{};
    std::chrono::steady_clock::time_point next_check_{};
    bool complained_ = false;
};

/// Where a request comes from, as far as admission cares.
struct request_source {
    boost::asio::ip::address address;               // client_address() of the request
    const peer_certificate* certificate = nullptr;  // TLS connections only
};

/// Who a request comes from, once let in: the process's `inuser` ("" for nobody).
struct caller {
    std::string user;
};

/// The web server's authentication for a request header (SPEC §7), decided before its body is
/// read: credentials (Basic header or ;auth= matrix parameter, or the client certificate),
/// then the user's IP allow-list, then its allowed operations. 401 when the caller is not
/// identified, 403 when refused; the texts never tell an unknown user from a wrong token.
/// /ws/ calls follow settings.auth; the admin endpoints (`role` admin: `/_admin/*` except the
/// status, and `/metrics`) follow settings.admin_auth and, unless it is none, need an admin
/// user.
std::variant<caller, response> admit(const http::request_header<>& req,
                                     const std::optional<simple_call>& call, route_role role,
                                     const request_source& from, service& svc);

/// Whether `user` may call `operation` (SOAP names it in the body, after admit() let the user
/// in; WSDL and OpenAPI documents list only what their reader may call).
bool may_call(const service& svc, const std::string& user, std::string_view operation);

}  // namespace ferry::ingress
