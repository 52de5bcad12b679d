#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <string>
#include <variant>

namespace ferry::ingress {

/// What the TLS handshake learnt of the client's certificate (mTLS).
struct peer_certificate {
    bool presented = false;
    bool trusted = false;     // chains to the listener's client CA
    std::string subject;      // RFC 2253: "CN=alice,O=Example"
    std::string common_name;  // the subject's CN, "" when it has none
};

/// A connection's byte stream: a plain TCP socket or TLS over one, chosen per listener. One
/// type for both, so that the HTTP code (connection, bulk reading) is compiled once; a read or
/// write costs one branch more than on the bare socket.
class connection_stream {
public:
    using socket_type = boost::asio::ip::tcp::socket;
    using tls_type = boost::beast::ssl_stream<socket_type>;
    using executor_type = socket_type::executor_type;

    explicit connection_stream(socket_type socket)
        : stream_(std::in_place_index<0>, std::move(socket)) {}
    connection_stream(socket_type socket, boost::asio::ssl::context& tls)
        : stream_(std::in_place_index<1>, std::move(socket), tls) {}

    executor_type get_executor() { return socket().get_executor(); }
    socket_type& socket() {
        if (auto* t = std::get_if<1>(&stream_)) return boost::beast::get_lowest_layer(*t);
        return std::get<0>(stream_);
    }
    tls_type* tls() { return std::get_if<1>(&stream_); }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& b) {
                if (auto* t = tls()) {
                    t->async_read_some(b, std::move(handler));
                } else {
                    std::get<0>(stream_).async_read_some(b, std::move(handler));
                }
            },
            token, buffers);
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& b) {
                if (auto* t = tls()) {
                    t->async_write_some(b, std::move(handler));
                } else {
                    std::get<0>(stream_).async_write_some(b, std::move(handler));
                }
            },
            token, buffers);
    }

private:
    std::variant<socket_type, tls_type> stream_;
};

/// The client certificate of a TLS connection after its handshake.
peer_certificate read_peer_certificate(connection_stream::tls_type& tls);

}  // namespace ferry::ingress
