#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
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

/// The same as a coroutine, for many concurrent requests on one io_context.
boost::asio::awaitable<http_reply> async_http_request(std::uint16_t port, std::string method,
                                                      std::string target, std::string body);

/// Writes raw bytes on a new connection and returns everything read until the server closes
/// or `timeout_ms` passes: for malformed and slow requests.
std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 5000);

}  // namespace ferry::test
