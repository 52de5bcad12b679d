#include "access.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "ferry/engine/intake/request_properties.hpp"
#include "ferry/store/log.hpp"
#include "http/responses.hpp"
#include "services/submit_answers.hpp"
#include "services/web_service_call.hpp"

namespace ferry::ingress {

user_source::user_source(std::string path) : path_(std::move(path)) {
    auto loaded = user_directory::load(path_);
    if (!loaded) {
        throw std::runtime_error("the users file " + path_ +
                                 " cannot be read: " + loaded.error().message());
    }
    users_ = std::make_shared<const user_directory>(std::move(*loaded));
    std::error_code ec;
    seen_ = std::filesystem::last_write_time(path_, ec);
    next_check_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
}

std::shared_ptr<const user_directory> user_source::current() {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now < next_check_) return users_;
    next_check_ = now + std::chrono::seconds(1);
    std::error_code ec;
    const auto written = std::filesystem::last_write_time(path_, ec);
    if (ec) {
        // Removed: no users any more (every call is refused), as an empty file would say.
        if (!std::filesystem::exists(path_)) users_ = std::make_shared<const user_directory>();
        return users_;
    }
    if (written == seen_) return users_;
    auto loaded = user_directory::load(path_);
    if (!loaded) {
        if (!complained_) {
            log::error("ingress",
                       "the users file cannot be read; the last good users stay in force",
                       {{"file", path_}, {"error", loaded.error().message()}});
            complained_ = true;
        }
        return users_;
    }
    complained_ = false;
    seen_ = written;
    users_ = std::make_shared<const user_directory>(std::move(*loaded));
    return users_;
}

namespace {

response refuse(http::status status, std::string_view error, std::string_view detail,
                const http::request_header<>& req) {
    auto res = error_response(status, error, detail, req.version(), keeps_alive(req));
    // A Basic challenge, except where only a certificate would do.
    if (status == http::status::unauthorized &&
        error.find("certificate") == std::string_view::npos) {
        res.set(http::field::www_authenticate, "Basic realm=\"ferry\", charset=\"UTF-8\"");
    }
    return res;
}

}  // namespace

namespace {

using credentials = std::optional<std::pair<std::string, std::string>>;

credentials basic_credentials(const http::request_header<>& req) {
    return engine::basic_credentials(req[http::field::authorization]);
}

// The user a request's credentials name under `mode` (basic or client_cert), or the 401.
std::variant<const user*, response> credentials_user(const http::request_header<>& req,
                                                     const credentials& given,
                                                     const request_source& from,
                                                     authentication mode,
                                                     const user_directory& users) {
    if (mode == authentication::client_cert) {
        const auto* cert = from.certificate;
        if (!cert || !cert->presented) {
            return refuse(http::status::unauthorized, "client_certificate_required",
                          "this server identifies callers by a client certificate (HTTPS with "
                          "mutual TLS)",
                          req);
        }
        const auto* u =
            cert->trusted ? users.find_by_certificate(cert->subject, cert->common_name) : nullptr;
        if (!u) {
            return refuse(http::status::unauthorized, "invalid_client_certificate",
                          "the client certificate is not accepted", req);
        }
        return u;
    }
    if (!given) {
        return refuse(http::status::unauthorized, "authentication_required",
                      "this server needs a user name and token (HTTP Basic, or the ;auth= "
                      "matrix parameter)",
                      req);
    }
    const auto* u = users.authenticate(given->first, given->second);
    if (!u) {
        return refuse(http::status::unauthorized, "invalid_credentials",
                      "the user name or token is not valid", req);
    }
    return u;
}

// Credentials, then the IP allow-list: the user let in, or the refusal.
std::variant<user, response> identify(const http::request_header<>& req, const credentials& given,
                                      const request_source& from, authentication mode,
                                      service& svc) {
    const auto users = svc.users->current();
    auto found = credentials_user(req, given, from, mode, *users);
    if (auto* refused = std::get_if<response>(&found)) return std::move(*refused);
    const auto* u = std::get<const user*>(found);
    if (u->ip_allow) {
        bool allowed = false;
        for (const auto& range : *u->ip_allow) allowed = allowed || range.contains(from.address);
        if (!allowed) {
            return refuse(
                http::status::forbidden, "ip_not_allowed",
                "calls from " + from.address.to_string() + " are not allowed for this user", req);
        }
    }
    return *u;
}

// The API a call goes through: its route's, its OpenAPI document's or its SOAP endpoint's;
// null for /ws/simple and the server-wide SOAP endpoints (and a REST path no API serves).
const engine::api_definition* api_of(const simple_call& call) {
    if (call.api) return call.api->api.get();
    if (call.openapi_of) return call.openapi_of.get();
    return call.soap_api.get();
}

// A user limited to named APIs calls only through them (docs/apis.md, "Access").
std::optional<response> check_api_access(const user& u, const simple_call& call,
                                         const http::request_header<>& req) {
    if (u.apis.empty()) return std::nullopt;
    const auto* api = api_of(call);
    if (api == nullptr) {
        // A REST path that reaches no API is answered 404 (after admission) as for anyone.
        if (call.protocol == web_service::rest) return std::nullopt;
        std::string names;
        for (const auto& name : u.apis) names += (names.empty() ? "" : ", ") + name;
        return refuse(http::status::forbidden, "api_required",
                      "this user may call only through the APIs " + names +
                          " (/ws/rest/<base path>, /ws/soap/<base path>)",
                      req);
    }
    if (std::find(u.apis.begin(), u.apis.end(), api->name) == u.apis.end()) {
        return refuse(http::status::forbidden, "api_not_allowed",
                      "this user may not call the API '" + api->name + "'", req);
    }
    return std::nullopt;
}

}  // namespace

std::variant<caller, response> admit(const http::request_header<>& req,
                                     const std::optional<simple_call>& call, route_role role,
                                     const request_source& from, service& svc) {
    const auto& settings = svc.settings;
    if (settings.admin_auth != authentication::none && role == route_role::admin) {
        auto who = identify(req, basic_credentials(req), from, settings.admin_auth, svc);
        if (auto* refused = std::get_if<response>(&who)) return std::move(*refused);
        const auto& u = std::get<user>(who);
        if (!u.admin) {
            return refuse(http::status::forbidden, "admin_required",
                          "the admin endpoints need a user added with --admin", req);
        }
        return caller{u.name};
    }
    if (!call) return caller{};
    // The ;auth= parameter stands in for the header for clients that cannot set one; with
    // both, the header wins.
    auto given = basic_credentials(req);
    if (!given && !call->matrix_auth.empty()) given = engine::decode_credentials(call->matrix_auth);
    if (settings.auth == authentication::none) {
        // A user name, if any, only identifies.
        return caller{given ? given->first : std::string()};
    }
    auto who = identify(req, given, from, settings.auth, svc);
    if (auto* refused = std::get_if<response>(&who)) return std::move(*refused);
    const auto& u = std::get<user>(who);
    if (auto refused = check_api_access(u, *call, req)) return std::move(*refused);
    // A SOAP call names its operation in the body: soap_handler checks it once it is read.
    if (!u.operations.empty() && !call->operation.empty() &&
        std::find(u.operations.begin(), u.operations.end(), call->operation) ==
            u.operations.end()) {
        return refuse(http::status::forbidden, "operation_not_allowed",
                      "this user may not call the operation '" + call->operation + "'", req);
    }
    return caller{u.name};
}

bool may_call(const service& svc, const std::string& user, std::string_view operation) {
    if (svc.settings.auth == authentication::none) return true;
    const auto users = svc.users->current();
    const auto* u = users->find(user);
    return u && (u->operations.empty() || std::find(u->operations.begin(), u->operations.end(),
                                                    operation) != u->operations.end());
}

}  // namespace ferry::ingress
