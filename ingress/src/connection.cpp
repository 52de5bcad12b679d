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

#include "access.hpp"
#include "rate_limiter.hpp"
#include "submit_answers.hpp"
#include "bulk_handler.hpp"
#include "deadline.hpp"
#include "handlers.hpp"
#include "responses.hpp"

namespace ferry::ingress {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t initial_read_capacity = 8192;

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
    const connection_count counted(svc);
    // Room for a typical request at once: Beast reads at most max(512, free capacity) per
    // system call, so a bare buffer costs three reads for a 1 KB post.
    beast::flat_buffer buffer;
    buffer.reserve(initial_read_capacity);
    deadline timer(socket);
    const auto& limits = svc.settings;
    boost::system::error_code no_peer;
    const auto remote = socket.remote_endpoint(no_peer).address();
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
        // The larger bulk limit while the header is read (Beast checks Content-Length against
        // it there); an ordinary request is held to body_limit once it is known not to be bulk.
        parser.body_limit(std::max<std::uint64_t>(limits.body_limit, limits.bulk_body_limit));
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

        // A flood is turned away before anything else is spent on it.
        if (!refusal && svc.rate && std::string_view(parser.get().target()).starts_with("/ws/")) {
            if (const auto wait = svc.rate->take(); wait.count() > 0) {
                char rate[32];
                std::snprintf(rate, sizeof rate, "%g", svc.settings.rate_limit);
                refusal = unavailable(parser.get(), "rate_limited",
                                      std::string("this listener takes at most ") + rate +
                                          " requests per second; retry after the pause");
                refusal->set(http::field::retry_after,
                             std::to_string((wait.count() + 999) / 1000));
            }
        }
        // The simple-path call the request addresses, parsed once for every step below.
        std::optional<simple_call> call;
        if (!refusal) call = parse_simple_call(parser.get());
        // Who calls is settled before any body is read: an unknown caller cannot make the
        // server read (or store) a single body byte.
        std::string user;
        if (!refusal) {
            auto admitted = admit(parser.get(), call, remote, svc);
            if (auto* refused = std::get_if<response>(&admitted)) {
                refusal = std::move(*refused);
            } else {
                user = std::move(std::get<caller>(admitted).user);
            }
        }

        // A bulk post streams its body into the store as it arrives (bulk_handler.hpp).
        std::optional<response> streamed;
        std::optional<bulk_call> bulk;
        if (!refusal) {
            bulk = find_bulk_call(parser.get(), call, svc);
            if (bulk) bulk->process_props["inuser"] = user;
            const auto length = parser.content_length();
            if (!bulk && length && *length > limits.body_limit) {
                refusal = parse_failure(http::error::body_limit);
            } else if (!bulk) {
                parser.body_limit(limits.body_limit);
            }
        }
        if (!refusal) {
            // curl and many clients wait for this before sending a body over 1 KB.
            if (parser.get()[http::field::expect] == "100-continue") {
                static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
                auto [ec, n] = co_await asio::async_write(socket, asio::buffer(go_on), use_tuple);
                if (ec) break;
            }
        }
        if (!refusal && bulk) {
            auto received =
                co_await receive_bulk(parser, socket, buffer, timer, std::move(*bulk), svc);
            if (!received) break;
            if (received->body_consumed) {
                streamed = std::move(received->res);
            } else {
                refusal = std::move(received->res);
            }
        }
        if (!refusal && !streamed) {
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
        } else if (streamed) {
            res = std::move(*streamed);
        } else {
            res = co_await route(parser.release(), std::move(call), std::move(user), svc);
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
