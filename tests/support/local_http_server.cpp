#include "support/local_http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdlib>
#include <optional>
#include <thread>

namespace ferry::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct local_http_server::impl {
    asio::io_context io;
    tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
    std::optional<asio::ssl::context> tls;
    handler answer;
    mutable std::mutex mutex;
    std::vector<seen_request> seen;
    bool holding = false;  // with mutex
    std::chrono::steady_clock::time_point hold_deadline;
    std::vector<asio::steady_timer*> held;  // the io thread's only
    std::atomic<std::size_t> answering{0};
    std::atomic<std::size_t> most{0};
    std::atomic<std::size_t> accepted{0};
    std::thread thread;

    // Holds this request while hold() asks for it, until release() or the deadline.
    asio::awaitable<void> maybe_hold(const asio::any_io_executor& ex) {
        std::chrono::steady_clock::time_point deadline;
        {
            std::lock_guard lock(mutex);
            if (!holding) co_return;
            deadline = hold_deadline;
        }
        asio::steady_timer timer(ex, deadline);
        held.push_back(&timer);
        (void)co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        std::erase(held, &timer);
    }

    // Answers the connection's requests until the client or a reply closes it.
    template <class Stream>
    asio::awaitable<void> serve(Stream& stream) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> req;
            co_await http::async_read(stream, buffer, req, asio::use_awaitable);
            seen_request r{
                std::string(req.method_string()), std::string(req.target()), {}, req.body()};
            for (const auto& f : req) {
                r.headers[std::string(f.name_string())] = std::string(f.value());
            }
            {
                std::lock_guard lock(mutex);
                seen.push_back(r);
            }
            const auto now = ++answering;
            for (auto m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
            }
            co_await maybe_hold(stream.get_executor());
            const auto reply = answer(r);
            if (reply.reset) {
                --answering;
                co_return;  // the connection closes unanswered
            }
            if (reply.delay_ms > 0) {
                asio::steady_timer wait(stream.get_executor(),
                                        std::chrono::milliseconds(reply.delay_ms));
                co_await wait.async_wait(asio::use_awaitable);
            }
            http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
            for (const auto& [k, v] : reply.headers) res.set(k, v);
            res.body() = reply.body;
            const bool keep = req.keep_alive() && reply.keep_alive;
            res.keep_alive(keep);
            res.prepare_payload();
            --answering;
            co_await http::async_write(stream, res, asio::use_awaitable);
            if (!keep || reply.drop_after) co_return;
        }
    }

    asio::awaitable<void> connection(tcp::socket socket) {
        ++accepted;
        try {
            if (tls) {
                asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls);
                co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                asio::use_awaitable);
                co_await serve(stream);
                beast::error_code ignored;
                stream.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
            } else {
                co_await serve(socket);
                beast::error_code ignored;
                socket.shutdown(tcp::socket::shutdown_both, ignored);
            }
        } catch (const std::exception&) {
            // A client that fails its handshake or goes away is part of some tests.
        }
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto socket = co_await acceptor.async_accept(asio::use_awaitable);
            asio::co_spawn(io, connection(std::move(socket)), asio::detached);
        }
    }
};

local_http_server::local_http_server(handler h, const std::string& cert_file,
                                     const std::string& key_file)
    : impl_(std::make_unique<impl>()) {
    impl_->answer = std::move(h);
    if (!cert_file.empty()) {
        impl_->tls.emplace(asio::ssl::context::tls_server);
        impl_->tls->use_certificate_chain_file(cert_file);
        impl_->tls->use_private_key_file(key_file, asio::ssl::context::pem);
    }
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

local_http_server::~local_http_server() {
    impl_->io.stop();
    impl_->thread.join();
}

std::uint16_t local_http_server::port() const { return impl_->acceptor.local_endpoint().port(); }

std::vector<seen_request> local_http_server::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->seen;
}

std::size_t local_http_server::request_count() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->seen.size();
}

void local_http_server::hold(std::chrono::milliseconds at_most) {
    std::lock_guard lock(impl_->mutex);
    impl_->holding = true;
    impl_->hold_deadline = std::chrono::steady_clock::now() + at_most;
}

void local_http_server::release() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->holding = false;
    }
    asio::post(impl_->io, [this] {
        for (auto* timer : impl_->held) timer->cancel();
    });
}

std::size_t local_http_server::most_at_once() const { return impl_->most.load(); }

std::size_t local_http_server::connections() const { return impl_->accepted.load(); }

bool make_test_certificate(const std::string& cert_file, const std::string& key_file) {
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" +
        key_file + "' -out '" + cert_file + "' >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

}  // namespace ferry::test
