#pragma once

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
    std::chrono::milliseconds timeout{10'000};  // the whole exchange, from resolve to last byte
    std::string ca_file;                        // extra trusted CA (PEM)
    bool verify_tls = true;
    std::size_t max_response_bytes = 16u << 20;
};

struct http_response {
    unsigned status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

/// One HTTP/1.1 exchange with Beast on a private io_context, on the calling (executor) thread.
/// TLS verifies the peer against the system CAs (plus `ca_file`) and the host name, with SNI.
/// Fails with a sentence: the URL is bad, the name does not resolve, the connection or TLS
/// handshake fails, the deadline passes, or the response is too large.
[[nodiscard]] boost::system::result<http_response, std::string> http_fetch(const http_request& req);

}  // namespace ferry::engine
