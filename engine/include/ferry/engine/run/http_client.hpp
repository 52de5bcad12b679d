#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace ferry::engine {

struct http_request {
    std::string method = "GET";
    std::string url;  // http:// or https://
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool has_body = false;
    std::chrono::milliseconds timeout{10'000};  // one attempt, from resolve to the last byte
    std::string ca_file;                        // extra trusted CA (PEM)
    bool verify_tls = true;
    std::size_t max_response_bytes = 16u << 20;
    std::size_t max_connections = 64;  // calls in flight to this partner at once (with a pool)
};

struct http_response {
    unsigned status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

using http_result = boost::system::result<http_response, std::string>;

class partner_pool;

/// One HTTP/1.1 exchange with Beast on the calling coroutine's executor: while it waits for
/// the partner, the thread runs other work. TLS verifies the peer against the system CAs (plus
/// `ca_file`) and the host name, with SNI. With a `pool` (an executor thread's), the call waits
/// for its place under the partner's bound (`max_connections`), goes over a kept-alive
/// connection when there is one and leaves its connection for the next call; TLS resumes the
/// partner's session. Without, it opens a connection of its own. The timeout counts from the
/// place taken. Fails with a sentence: the URL is bad, the name does not resolve, the
/// connection or TLS handshake fails, the deadline passes, or the response is too large.
[[nodiscard]] boost::asio::awaitable<http_result> http_fetch(const http_request& req,
                                                             partner_pool* pool = nullptr);

}  // namespace ferry::engine
