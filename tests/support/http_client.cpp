#include "support/http_client.hpp"

#include <poll.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>

#include "support/close_with_reset.hpp"

namespace ferry::test {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

http::request<http::string_body> make_request(const std::string& method, const std::string& target,
                                              const std::string& body,
                                              const std::map<std::string, std::string>& headers) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST") req.prepare_payload();
    return req;
}

http_reply to_reply(http::response<http::string_body>& res) {
    http_reply out;
    out.status = res.result_int();
    for (const auto& f : res) out.headers[std::string(f.name_string())] = std::string(f.value());
    out.body = res.body();
    return out;
}

}  // namespace

http_reply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body,
                        const std::map<std::string, std::string>& headers) {
    return http_request_from("127.0.0.1", port, method, target, body, headers);
}

namespace {

http_reply exchange(const std::string& source, const std::string& destination, std::uint16_t port,
                    const std::string& method, const std::string& target, const std::string& body,
                    const std::map<std::string, std::string>& headers) {
    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code ec;
    const auto from = asio::ip::make_address(source, ec);
    if (ec) return {};
    socket.open(from.is_v6() ? tcp::v6() : tcp::v4(), ec);
    socket.bind({from, 0}, ec);
    if (ec) return {};
    socket.connect({asio::ip::make_address(destination), port}, ec);
    if (ec) return {};
    auto req = make_request(method, target, body, headers);
    http::write(socket, req, ec);
    if (ec) return {};
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1u << 30);
    http::read(socket, buffer, parser, ec);
    if (ec) return {};
    close_with_reset(socket);  // one request per connection, by the thousand in some tests
    return to_reply(parser.get());
}

}  // namespace

http_reply http_request_from(const std::string& source, std::uint16_t port,
                             const std::string& method, const std::string& target,
                             const std::string& body,
                             const std::map<std::string, std::string>& headers) {
    return exchange(source, "127.0.0.1", port, method, target, body, headers);
}

http_reply http_request_at(const std::string& address, std::uint16_t port,
                           const std::string& method, const std::string& target,
                           const std::string& body,
                           const std::map<std::string, std::string>& headers) {
    const bool v6 = address.find(':') != std::string::npos;
    return exchange(v6 ? "::1" : "127.0.0.1", address, port, method, target, body, headers);
}

std::uint16_t free_port() {
    // Below Linux's ephemeral range (32768-60999), where every outgoing connection takes its
    // local port: a server stopped and started again on its port (a NATS server in the
    // cluster tests) must not find it taken by some test's client meanwhile.
    static std::mutex mutex;
    static std::mt19937 pick(std::random_device{}());
    asio::io_context io;
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::uint16_t port = 0;
        {
            std::lock_guard lock(mutex);
            port = static_cast<std::uint16_t>(20000 + pick() % 12000);
        }
        tcp::acceptor acceptor(io);
        boost::system::error_code ec;
        acceptor.open(tcp::v4(), ec);
        acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
        acceptor.bind({asio::ip::make_address("127.0.0.1"), port}, ec);
        if (!ec) return port;
    }
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

asio::awaitable<http_reply> async_http_request(std::uint16_t port, std::string method,
                                               std::string target, std::string body) {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    tcp::socket socket(co_await asio::this_coro::executor);
    auto [connect_ec] =
        co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, use_tuple);
    if (connect_ec) co_return http_reply{};
    auto req = make_request(method, target, body, {});
    auto [write_ec, w] = co_await http::async_write(socket, req, use_tuple);
    if (write_ec) co_return http_reply{};
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    auto [read_ec, r] = co_await http::async_read(socket, buffer, res, use_tuple);
    if (read_ec) co_return http_reply{};
    close_with_reset(socket);
    co_return to_reply(res);
}

struct http_session::impl {
    explicit impl(std::uint16_t p) : port(p), socket(io) {}
    std::uint16_t port;
    asio::io_context io;
    tcp::socket socket;
    boost::beast::flat_buffer buffer;

    std::optional<http_reply> attempt(const http::request<http::string_body>& req) {
        boost::system::error_code ec;
        if (!socket.is_open()) {
            buffer.clear();
            socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
            if (ec) {
                socket.close(ec);
                return std::nullopt;
            }
        }
        http::write(socket, req, ec);
        http::response_parser<http::string_body> parser;
        parser.body_limit(1u << 30);
        if (!ec) http::read(socket, buffer, parser, ec);
        if (ec) {
            socket.close(ec);
            return std::nullopt;
        }
        if (!parser.get().keep_alive()) socket.close(ec);
        return to_reply(parser.get());
    }
};

http_session::http_session(std::uint16_t port) : impl_(std::make_unique<impl>(port)) {}
http_session::~http_session() = default;

http_reply http_session::request(const std::string& method, const std::string& target,
                                 const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
    const auto req = make_request(method, target, body, headers);
    if (auto reply = impl_->attempt(req)) return *reply;
    // The server may have closed an idle connection: one fresh try.
    return impl_->attempt(req).value_or(http_reply{});
}

struct async_http_session::impl {
    impl(asio::any_io_executor executor, std::uint16_t p) : port(p), socket(std::move(executor)) {}
    std::uint16_t port;
    tcp::socket socket;
    boost::beast::flat_buffer buffer;
    bool failed = false;
};

async_http_session::async_http_session(asio::any_io_executor executor, std::uint16_t port)
    : impl_(std::make_unique<impl>(std::move(executor), port)) {}
async_http_session::~async_http_session() = default;

asio::awaitable<http_reply> async_http_session::request(std::string method, std::string target,
                                                        std::string body) {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    auto& s = *impl_;
    if (s.failed) co_return http_reply{};
    if (!s.socket.is_open()) {
        const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), s.port);
        auto [ec] = co_await s.socket.async_connect(server, use_tuple);
        if (ec) {
            s.failed = true;
            co_return http_reply{};
        }
    }
    auto req = make_request(method, target, body, {});
    auto [write_ec, w] = co_await http::async_write(s.socket, req, use_tuple);
    http::response<http::string_body> res;
    boost::system::error_code read_ec;
    if (!write_ec) {
        auto [ec, r] = co_await http::async_read(s.socket, s.buffer, res, use_tuple);
        read_ec = ec;
    }
    if (write_ec || read_ec) {
        s.failed = true;
        co_return http_reply{};
    }
    co_return to_reply(res);
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms) {
    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return {};
    asio::write(socket, asio::buffer(bytes), ec);
    std::string out;
    std::array<char, 4096> chunk;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    socket.non_blocking(true);
    while (std::chrono::steady_clock::now() < deadline) {
        const auto n = socket.read_some(asio::buffer(chunk), ec);
        if (ec == asio::error::would_block) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd fd{socket.native_handle(), POLLIN, 0};
            ::poll(&fd, 1, static_cast<int>(std::max<long>(1, left.count())));
            continue;
        }
        if (ec) break;
        out.append(chunk.data(), n);
    }
    return out;
}

}  // namespace ferry::test
