#include "connection.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>
#include <optional>

#include "handlers.hpp"
#include "responses.hpp"

namespace ferry::ingress {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t initial_read_capacity = 8192;

/// Cancels the socket's pending operation when a phase (idle, header, body, write) overruns,
/// without closing it, so that a 408 can still be written.
///
/// Re-arming an Asio timer per phase costs a cancel, a handler and often a timerfd syscall, four
/// times per request. Instead the timer stays armed at some expiry; a phase only moves the
/// deadline, and the timer is re-armed only when a deadline comes *before* the armed expiry.
/// When the timer fires early (the deadline moved later), it re-arms for the deadline.
class deadline {
public:
    using clock = std::chrono::steady_clock;

    explicit deadline(tcp::socket& socket) : socket_(socket), timer_(socket.get_executor()) {}
    ~deadline() { *alive_ = false; }

    void arm(std::chrono::milliseconds limit) {
        deadline_ = clock::now() + limit;
        active_ = true;
        expired_ = false;
        if (!armed_ || deadline_ < expiry_) start(deadline_);
    }
    void disarm() { active_ = false; }
    bool expired() const { return expired_; }

private:
    void start(clock::time_point at) {
        armed_ = true;
        expiry_ = at;
        timer_.expires_at(at);
        timer_.async_wait([this, alive = alive_, at](boost::system::error_code ec) {
            if (ec || !*alive || at != expiry_) return;  // cancelled, gone, or superseded
            armed_ = false;
            if (!active_) return;
            if (clock::now() < deadline_) {
                start(deadline_);
                return;
            }
            expired_ = true;
            boost::system::error_code ignored;
            socket_.cancel(ignored);
        });
    }

    tcp::socket& socket_;
    asio::steady_timer timer_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    clock::time_point deadline_{};
    clock::time_point expiry_{};
    bool armed_ = false;
    bool active_ = false;
    bool expired_ = false;
};

response parse_failure(const boost::system::error_code& ec) {
    if (ec == beast::http::error::body_limit) {
        return error_response(http::status::payload_too_large, "body_too_large",
                              "the request body exceeds the limit of this server");
    }
    if (ec == beast::http::error::header_limit) {
        return error_response(http::status::request_header_fields_too_large, "header_too_large",
                              "the request header exceeds the limit of this server");
    }
    return error_response(http::status::bad_request, "malformed_http",
                          "the request is not valid HTTP/1.1: " + ec.message());
}

// A request that is not HTTP (as opposed to a peer that went away mid-request).
bool is_parse_error(const boost::system::error_code& ec) {
    using beast::http::error;
    return ec && ec.category() == beast::http::make_error_code(error::bad_target).category() &&
           ec != error::end_of_stream && ec != error::partial_message && ec != error::need_more &&
           ec != error::need_buffer;
}

// Reads and discards what the client still sends for a short while after an error response, so
// that closing with unread data does not reset the connection before the client read the answer.
asio::awaitable<void> linger(tcp::socket& socket, deadline& timer) {
    timer.arm(std::chrono::milliseconds(1000));
    std::array<char, 16384> sink;
    for (std::size_t total = 0; total < (64u << 20);) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
        if (ec) break;
        total += n;
    }
    timer.disarm();
}

}  // namespace

asio::awaitable<void> serve_connection(tcp::socket socket, service& svc) {
    // Room for a typical request at once: Beast reads at most max(512, free capacity) per
    // system call, so a bare buffer costs three reads for a 1 KB post.
    beast::flat_buffer buffer;
    buffer.reserve(initial_read_capacity);
    deadline timer(socket);
    const auto& limits = svc.settings;
    for (;;) {
        // Idle: wait for the first bytes of the next request (or use what is already
        // buffered). A read, not async_wait: Asio tries a read at once without touching epoll,
        // while a wait re-registers the socket (epoll_ctl) every time.
        if (buffer.size() == 0) {
            timer.arm(limits.idle_timeout);
            auto [ec, n] = co_await socket.async_read_some(
                buffer.prepare(std::max(buffer.capacity(), initial_read_capacity)), use_tuple);
            timer.disarm();
            if (ec) break;  // idle timeout or peer gone: close quietly
            buffer.commit(n);
        }

        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
        parser.body_limit(limits.body_limit);
        std::optional<response> refusal;

        timer.arm(limits.header_timeout);
        auto [header_ec, h] = co_await http::async_read_header(socket, buffer, parser, use_tuple);
        timer.disarm();
        if (header_ec == http::error::end_of_stream) break;
        if (timer.expired()) {
            refusal = error_response(http::status::request_timeout, "header_timeout",
                                     "the request header was not received in time");
        } else if (is_parse_error(header_ec)) {
            refusal = parse_failure(header_ec);
        } else if (header_ec) {
            break;  // reset or other network error: nothing to answer
        }

        if (!refusal) {
            // curl and many clients wait for this before sending a body over 1 KB.
            if (parser.get()[http::field::expect] == "100-continue") {
                static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
                auto [ec, n] = co_await asio::async_write(socket, asio::buffer(go_on), use_tuple);
                if (ec) break;
            }
            timer.arm(limits.body_timeout);
            auto [body_ec, b] = co_await http::async_read(socket, buffer, parser, use_tuple);
            timer.disarm();
            if (timer.expired()) {
                refusal = error_response(http::status::request_timeout, "body_timeout",
                                         "the request body was not received in time");
            } else if (is_parse_error(body_ec)) {
                refusal = parse_failure(body_ec);
            } else if (body_ec) {
                break;
            }
        }

        // After a refused request the stream position is unknown: answer and close.
        // (No co_await inside ?: : GCC 12 miscompiles it.)
        response res;
        if (refusal) {
            res = std::move(*refusal);
        } else {
            res = co_await route(parser.release(), svc);
        }
        if (svc.state.load() == server_state::draining) res.keep_alive(false);
        svc.counters.count(res.result_int());
        const bool keep_alive = res.keep_alive() && !refusal;
        if (refusal) res.keep_alive(false);

        timer.arm(limits.idle_timeout);
        auto [write_ec, w] = co_await http::async_write(socket, res, use_tuple);
        timer.disarm();
        if (write_ec) break;
        if (refusal) {
            boost::system::error_code ignored;
            socket.shutdown(tcp::socket::shutdown_send, ignored);
            co_await linger(socket, timer);
            break;
        }
        if (!keep_alive) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
}

}  // namespace ferry::ingress
