#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "support/http_client.hpp"

namespace ferry::test {

/// How a test client speaks TLS: the CA it trusts for the server, and optionally its own
/// certificate.
struct tls_client {
    std::string ca_file;
    std::string cert_file;  // empty: no client certificate
    std::string key_file;
};

/// One blocking HTTPS request to 127.0.0.1:port (Beast over Asio SSL), verifying the server
/// certificate against `tls.ca_file` for the name localhost. status 0 when the connection or
/// handshake failed; `error` then says why.
http_reply https_request(std::uint16_t port, const tls_client& tls, const std::string& method,
                         const std::string& target, const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {},
                         std::string* error = nullptr);

}  // namespace ferry::test
