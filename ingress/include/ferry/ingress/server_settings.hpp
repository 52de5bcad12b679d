#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ferry/engine/gateway_settings.hpp"

namespace ferry::ingress {

/// How the web server identifies callers (SPEC §7, docs/security.md).
enum class authentication {
    none,         // a user name, if given, only identifies (inuser)
    basic,        // user + token from the users file; 401 / 403 otherwise
    client_cert,  // a client certificate (mTLS) whose subject maps to a user; 401 / 403
};

/// An HTTPS listener's certificate and, for client certificates, the CA that signs them.
struct tls_settings {
    std::string certificate_file;  // PEM, the server certificate (and its chain)
    std::string private_key_file;  // PEM
    /// PEM bundle of the CAs that sign client certificates; empty: none are asked for.
    std::string client_ca_file;
};

/// What a port serves: everything, only the web services (/ws/...), or only the admin API
/// (/_admin/..., /metrics). /_admin/status answers on every port.
enum class listener_role { all, services, admin };

/// One listening port: plain HTTP, or HTTPS with `tls`.
struct listener_settings {
    std::string address = "127.0.0.1";
    std::uint16_t port = 9090;  // 0 picks a free port (see server::port())
    std::optional<tls_settings> tls;
    listener_role role = listener_role::all;
    /// Open connections at most; one more is answered 503 too_many_connections and closed.
    std::size_t max_connections = 10'000;
    /// /ws/ requests per second on this listener (0: unlimited), with bursts of rate_burst
    /// (0: one second's worth); past it 503 rate_limited with Retry-After.
    double rate_limit = 0;
    double rate_burst = 0;
};

/// One CORS rule (docs/security.md): the first rule whose origin pattern matches a request's
/// Origin decides. Patterns are exact origins or use `*` wildcards ("https://*.example.com",
/// "*").
struct cors_rule {
    std::string origin;
    std::vector<std::string> methods = {"GET", "POST"};
    std::vector<std::string> headers;         // request headers allowed ("*": any)
    std::vector<std::string> expose_headers;  // response headers scripts may read
    bool credentials = false;
    std::int64_t max_age_seconds = 600;
};

/// Where generated links (status links, next-page links) point.
struct link_settings {
    /// "https://api.example.com/base" or empty: links are paths on the serving host.
    std::string external_base_url;
    /// Honour X-Forwarded-Proto/-Host/-Port/-Prefix, X-Request-Uri for links, and
    /// X-Forwarded-For for the caller's address (IP allow-lists): only behind a proxy that sets
    /// them.
    bool trust_forwarded = false;
};

struct server_settings {
    /// At least one; the first is the default listener (server::port()).
    std::vector<listener_settings> listeners = {listener_settings{}};
    std::size_t io_threads = 2;
    std::size_t body_limit = 16 * 1024 * 1024;         // larger bodies: 413
    std::size_t header_limit = 16 * 1024;              // larger headers: 431
    std::chrono::milliseconds header_timeout{10'000};  // whole header (and TLS handshake): 408
    std::chrono::milliseconds body_timeout{30'000};    // whole body: 408
    std::chrono::milliseconds idle_timeout{60'000};    // keep-alive connection with no request
    /// Streamed bulk posts (ndjson): the whole body may be this large (413 past it), each
    /// line at most body_limit; body_timeout then limits each pause, not the whole body.
    std::uint64_t bulk_body_limit = 4ull << 30;
    std::size_t bulk_part_documents = 2000;  // documents per staged write of a bulk post
    /// How calls are decided (the engine's gateway): synchronous executions per operation
    /// (one more is 503 too_many_executions).
    engine::gateway_settings calls;
    authentication auth = authentication::none;        // /ws/ calls
    authentication admin_auth = authentication::none;  // admin endpoints and /metrics
    std::string users_file;       // written by `ferry user`, re-read when it changes
    std::string runtimes_file{};  // other runtimes the console manages (DATA/runtimes.json)
    std::vector<cors_rule> cors;
    link_settings links;
};

}  // namespace ferry::ingress
