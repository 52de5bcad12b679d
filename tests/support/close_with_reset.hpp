#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>

namespace ferry::test {

/// Closes `socket` with a reset instead of a FIN, for test clients that open connections by the
/// thousand. The side that closes first keeps its local port in TIME_WAIT for a minute, and
/// Linux's ephemeral range has 28,232 ports: the whole suite at -j2 once held 26,888 of them,
/// and a ferry started on port 0 beside it found none ("Address already in use"). Only for a
/// client done with the connection: a reset discards what is still unsent or unread. It must
/// be an explicit close: Asio clears SO_LINGER when a socket's destructor closes it.
inline void close_with_reset(boost::asio::ip::tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.set_option(boost::asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

}  // namespace ferry::test
