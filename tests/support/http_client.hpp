#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace ferry::test {

/// A response as tests look at it.
struct http_reply {
    int status = 0;  // 0: no response (connection failed or closed)
    std::map<std::string, std::string> headers;
    std::string body;

    /// A header's value, "" when absent.
    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

/// One blocking request on a new connection to 127.0.0.1:port (Beast client).
http_reply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "",
                        const std::map<std::string, std::string>& headers = {});

/// The same from another loopback source address (127.0.0.2, ...), for IP allow-lists.
http_reply http_request_from(const std::string& source, std::uint16_t port,
                             const std::string& method, const std::string& target,
                             const std::string& body = "",
                             const std::map<std::string, std::string>& headers = {});

/// The same to `address` (IPv4 or IPv6, e.g. "::1"), from the matching loopback.
http_reply http_request_at(const std::string& address, std::uint16_t port,
                           const std::string& method, const std::string& target,
                           const std::string& body = "",
                           const std::map<std::string, std::string>& headers = {});

/// A loopback port nobody listens on right now (bound once, then released), for servers that
/// need several known ports; below the ephemeral range, so that no client connection takes it
/// while a server restarts on it.
std::uint16_t free_port();

/// The same as a coroutine, for many concurrent requests on one io_context.
boost::asio::awaitable<http_reply> async_http_request(std::uint16_t port, std::string method,
                                                      std::string target, std::string body);

/// Many requests over one keep-alive connection (reconnecting once when the server closed
/// it): for tests that make thousands of calls, which with a connection each would run the
/// machine out of ephemeral ports (every closed connection sits in TIME_WAIT for a minute).
class http_session {
public:
    explicit http_session(std::uint16_t port);
    ~http_session();
    http_session(const http_session&) = delete;
    http_session& operator=(const http_session&) = delete;

    http_reply request(const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// The same for a coroutine on `executor` (no reconnect: a failed request ends the session).
class async_http_session {
public:
    async_http_session(boost::asio::any_io_executor executor, std::uint16_t port);
    ~async_http_session();
    async_http_session(const async_http_session&) = delete;
    async_http_session& operator=(const async_http_session&) = delete;

    boost::asio::awaitable<http_reply> request(std::string method, std::string target,
                                               std::string body);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Writes raw bytes on a new connection and returns everything read until the server closes
/// or `timeout_ms` passes: for malformed and slow requests.
std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 5000);

}  // namespace ferry::test
