#pragma once

#include <atomic>
#include <chrono>
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
    canned_reply(unsigned status_code = 200, std::string body_text = {},
                 std::map<std::string, std::string> header_fields = {}, int delay = 0)
        : status(status_code),
          body(std::move(body_text)),
          headers(std::move(header_fields)),
          delay_ms(delay) {}

    unsigned status = 200;
    std::string body;
    std::map<std::string, std::string> headers;
    int delay_ms = 0;         // wait before answering (timeouts)
    bool keep_alive = true;   // false: "Connection: close", and the server closes
    bool drop_after = false;  // close after answering without saying so (a partner's idle close)
    bool reset = false;       // close the connection instead of answering
};

/// A real HTTP/1.1 (or, with a certificate, HTTPS) server on 127.0.0.1 and a free port, run
/// on its own thread, for tests of outbound calls. Connections are kept alive as the client
/// asks, unless the reply says otherwise.
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
    std::size_t request_count() const;
    /// Holds every request that arrives from now on before it is answered, until release() (or
    /// until `at_most` passed since this call): a test sees that many calls waiting at once.
    void hold(std::chrono::milliseconds at_most);
    /// Answers the held requests, and no longer holds new ones.
    void release();
    /// The most requests the server held or was answering at once.
    std::size_t most_at_once() const;
    /// Connections accepted so far.
    std::size_t connections() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Makes a self-signed certificate for localhost and 127.0.0.1 with the openssl command line
/// tool; returns false when it could not.
bool make_test_certificate(const std::string& cert_file, const std::string& key_file);

}  // namespace ferry::test
