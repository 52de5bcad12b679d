#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "service.hpp"

namespace ferry::ingress {

/// Serves one connection until the peer closes, a timeout, an error or a response that ends
/// the connection. Owns the socket; `svc` outlives it.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket, service& svc);

}  // namespace ferry::ingress
