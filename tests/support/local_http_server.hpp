#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ferry::test {

/// A request as the local server saw it.
struct seen_request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;
    std::string body;
};

/// What the handler answers.
struct canned_reply {
    unsigned status = 200;
    std::string body;
    std::map<std::string, std::string> headers;
    int delay_ms = 0;  // wait before answering (timeouts)
};

/// A real HTTP/1.1 (or, with a certificate, HTTPS) server on 127.0.0.1 and a free port, run
/// on its own thread, for tests of outbound calls. One request per connection.
class local_http_server {
public:
    using handler = std::function<canned_reply(const seen_request&)>;
    /// cert_file/key_file (PEM) switch TLS on.
    explicit local_http_server(handler h, const std::string& cert_file = {},
                               const std::string& key_file = {});
    ~local_http_server();
    local_http_server(const local_http_server&) = delete;
    local_http_server& operator=(const local_http_server&) = delete;

    std::uint16_t port() const;
    std::vector<seen_request> requests() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Makes a self-signed certificate for localhost and 127.0.0.1 with the openssl command line
/// tool; returns false when it could not.
bool make_test_certificate(const std::string& cert_file, const std::string& key_file);

}  // namespace ferry::test
