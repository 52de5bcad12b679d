#pragma once

#include <memory>
#include <string>
#include <variant>

#include "ferry/ingress/server.hpp"

namespace boost::asio::ssl {
class context;
}

namespace ferry::ingress {

/// The TLS context of an HTTPS listener: TLS 1.2 and later, the certificate chain and key of
/// `settings`, and with a client CA, client certificates asked for (not required: a missing or
/// untrusted one is answered 401 in HTTP rather than by a failed handshake the caller cannot
/// read). The error text names the file that failed.
std::variant<std::shared_ptr<boost::asio::ssl::context>, std::string> make_server_tls(
    const tls_settings& settings);

}  // namespace ferry::ingress
