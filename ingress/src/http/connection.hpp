#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "service.hpp"

namespace ferry::ingress {

struct listener;

/// Serves one connection of `port` (TLS handshake first on an HTTPS port) until the peer
/// closes, a timeout, an error or a response that ends the connection. Owns the socket; the
/// listener and `svc` outlive it.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket, listener& port,
                                              service& svc);

}  // namespace ferry::ingress
