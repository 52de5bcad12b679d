#include "http/connection.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <memory>
#include <optional>

#include "access.hpp"
#include "http/browser_guard.hpp"
#include "http/connection_stream.hpp"
#include "http/cors.hpp"
#include "http/deadline.hpp"
#include "http/links.hpp"
#include "http/listener.hpp"
#include "http/rate_limiter.hpp"
#include "http/request_checks.hpp"
#include "http/responses.hpp"
#include "services/bulk_handler.hpp"
#include "services/rest_call.hpp"
#include "services/submit_answers.hpp"
#include "services/web_services.hpp"

namespace ferry::ingress {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t initial_read_capacity = 8192;

// Reads and discards what the client still sends for a short while after an error response, so
// that closing with unread data does not reset the connection before the client read the answer.
asio::awaitable<void> linger(connection_stream& socket, deadline& timer) {
    timer.arm(std::chrono::milliseconds(1000));
    std::array<char, 16384> sink;
    for (std::size_t total = 0; total < (64u << 20);) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
        if (ec) break;
        total += n;
    }
    timer.disarm();
}

// Ends the write side: close_notify on TLS (bounded by the timer: a peer that never reads
// cannot hold the connection), FIN on TCP.
asio::awaitable<void> shut_down_send(connection_stream& stream, deadline& timer) {
    if (auto* tls = stream.tls()) {
        timer.arm(std::chrono::milliseconds(1000));
        (void)co_await tls->async_shutdown(use_tuple);
        timer.disarm();
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// The TLS handshake of an HTTPS connection, within the header timeout (a client that opens
// connections and never speaks TLS is cut off like a slow header). False: close.
asio::awaitable<bool> handshake(connection_stream& stream, deadline& timer,
                                const server_settings& limits) {
    timer.arm(limits.header_timeout);
    auto [ec] = co_await stream.tls()->async_handshake(asio::ssl::stream_base::server, use_tuple);
    timer.disarm();
    co_return !ec;
}

// Feeds what the buffer already holds to the parser, without a trip through the event loop.
// True once the parser has the part asked for (the header, or the whole message) or failed
// (`ec`); false when it needs bytes still to come.
bool parse_buffered(http::request_parser<http::string_body>& parser, beast::flat_buffer& buffer,
                    bool whole_message, beast::error_code& ec) {
    for (;;) {
        if (whole_message ? parser.is_done() : parser.is_header_done()) return true;
        if (buffer.size() == 0) return false;
        const auto used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == http::error::need_more) {
            ec = {};
            return false;
        }
        if (ec) return true;
        if (used == 0) return false;
    }
}

// Reads the request's header (or, `whole_message`, all of it): from the buffer when it is all
// there, else from the socket within `limit`.
asio::awaitable<beast::error_code> read_request(connection_stream& socket,
                                                beast::flat_buffer& buffer,
                                                http::request_parser<http::string_body>& parser,
                                                deadline& timer, std::chrono::milliseconds limit,
                                                bool whole_message) {
    beast::error_code ec;
    if (parse_buffered(parser, buffer, whole_message, ec)) co_return ec;
    timer.arm(limit);
    if (whole_message) {
        auto [read_ec, n] = co_await http::async_read(socket, buffer, parser, use_tuple);
        ec = read_ec;
    } else {
        auto [read_ec, n] = co_await http::async_read_header(socket, buffer, parser, use_tuple);
        ec = read_ec;
    }
    timer.disarm();
    co_return ec;
}

// Writes a response at once when the socket takes it (plain TCP with room in its send buffer:
// nearly always), else finishes it asynchronously. Each completed async operation costs a trip
// through the event loop's queue, behind every other connection's work.
asio::awaitable<beast::error_code> write_response(connection_stream& stream, response& res) {
    http::serializer<false, http::string_body> out(res);
    if (!stream.tls()) {
        beast::error_code ec;
        while (!ec && !out.is_done()) http::write_some(stream.socket(), out, ec);
        if (ec != asio::error::would_block) co_return ec;  // done, or a real error
    }
    auto [write_ec, n] = co_await http::async_write(stream, out, use_tuple);
    co_return write_ec;
}

// The connection as a response_stream: each write within the idle timeout.
class connection_response_stream final : public response_stream {
public:
    connection_response_stream(connection_stream& stream, deadline& timer,
                               std::chrono::milliseconds limit)
        : stream_(stream), timer_(timer), limit_(limit) {}

    asio::awaitable<bool> write(std::string_view bytes) override {
        started_ = true;
        timer_.arm(limit_);
        auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(bytes), use_tuple);
        timer_.disarm();
        co_return !ec;
    }

private:
    connection_stream& stream_;
    deadline& timer_;
    std::chrono::milliseconds limit_;
};

// Which ports serve a path no route matched (for the refusal's wording and admission): the
// admin API's prefixes, or the web services'.
route_role role_by_prefix(std::string_view path) {
    path = path.substr(0, path.find('?'));
    return path == "/metrics" || path.starts_with("/_admin/") || path.starts_with("/_console")
               ? route_role::admin
               : route_role::services;
}

// Hands the request to its route's handler: 404 when no route has its path, 405 with Allow
// when none has its method (a SOAP fault for a SOAP endpoint).
asio::awaitable<response> dispatch(matched_route found, std::optional<boost::urls::url_view> target,
                                   request req, std::optional<simple_call> call, std::string user,
                                   service& svc, response_stream& stream) {
    if (!target) {
        co_return error_response(http::status::bad_request, "bad_target",
                                 "the request target is not a valid URL path", req);
    }
    if (!found.shape) {
        co_return error_response(http::status::not_found, "not_found",
                                 "no endpoint at " + std::string(target->path()), req);
    }
    if (!found.found) {
        auto res = method_not_allowed(req, found.allow);
        if (call) res = soap_fault(std::move(res), call->protocol);
        co_return res;
    }
    // A named request, not a braced temporary inside co_await: GCC 12 destroys those twice.
    routed_request routed{std::move(req),  *target,         std::move(found.params),
                          std::move(user), std::move(call), svc,
                          &stream};
    co_return co_await found.found->handler(std::move(routed));
}

void abort_connection(tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

connection_stream open_stream(tcp::socket socket, listener& port) {
    if (port.tls) return connection_stream(std::move(socket), *port.tls);
    return connection_stream(std::move(socket));
}

}  // namespace

asio::awaitable<void> serve_connection(tcp::socket plain, listener& port, service& svc) {
    const connection_count counted(port);
    boost::system::error_code no_peer;
    const auto peer_address = plain.remote_endpoint(no_peer).address();
    // Synchronous writes that would block fail with would_block instead (write_response).
    plain.non_blocking(true, no_peer);
    connection_stream socket = open_stream(std::move(plain), port);
    deadline timer(socket.socket());
    const auto& limits = svc.settings;
    peer_certificate certificate;
    if (socket.tls()) {
        if (!co_await handshake(socket, timer, limits)) {
            svc.counters.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
            boost::system::error_code ignored;
            socket.socket().close(ignored);
            co_return;
        }
        certificate = read_peer_certificate(*socket.tls());
    }
    // Room for a typical request at once: Beast reads at most max(512, free capacity) per
    // system call, so a bare buffer costs three reads for a 1 KB post.
    beast::flat_buffer buffer;
    buffer.reserve(initial_read_capacity);
    bool first = true;
    for (;;) {
        // Idle: wait for the first bytes of the next request (or use what is already
        // buffered). A read, not async_wait: Asio tries a read at once without touching epoll,
        // while a wait re-registers the socket (epoll_ctl) every time.
        if (buffer.size() == 0) {
            // A new connection gets the header timeout for its first byte: connections opened
            // and left silent (a flood) give their slot back as soon as a slow header would.
            timer.arm(first ? std::min(limits.header_timeout, limits.idle_timeout)
                            : limits.idle_timeout);
            first = false;
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

        const auto header_ec =
            co_await read_request(socket, buffer, parser, timer, limits.header_timeout, false);
        if (header_ec == http::error::end_of_stream) break;
        if (timer.expired()) {
            refusal = error_response(http::status::request_timeout, "header_timeout",
                                     "the request header was not received in time");
        } else if (is_parse_error(header_ec)) {
            refusal = parse_failure(header_ec);
        } else if (header_ec) {
            break;  // reset or other network error: nothing to answer
        }

        const auto& header = parser.get();
        const auto request_started = std::chrono::steady_clock::now();
        const auto raw_target = std::string_view(header.target());
        // A body of unknown length is never read (request_checks.hpp).
        if (!refusal) refusal = refuse_transfer_coding(header);
        // A flood is turned away before anything else is spent on it.
        if (!refusal && port.rate && raw_target.starts_with("/ws/")) {
            if (const auto wait = port.rate->take(); wait.count() > 0) {
                char rate[32];
                std::snprintf(rate, sizeof rate, "%g", port.settings.rate_limit);
                refusal = unavailable(parser.get(), "rate_limited",
                                      std::string("this listener takes at most ") + rate +
                                          " requests per second; retry after the pause");
                refusal->set(http::field::retry_after, std::to_string((wait.count() + 999) / 1000));
            }
        }
        // The target, parsed once here for every step below and the handler; its route.
        const auto target = boost::urls::parse_origin_form(raw_target);
        matched_route found;
        if (target) found = svc.routes.match(header.method(), target->path());
        if (!refusal && target) refusal = refuse_target_text(*target, header);
        const auto role = found.shape ? found.shape->role : role_by_prefix(raw_target);
        if (!refusal && !port.serves(role)) {
            refusal = error_response(http::status::not_found, "not_found",
                                     port.settings.role == listener_role::admin
                                         ? "this port serves only the admin API"
                                         : "this port serves only the web services (/ws/...)",
                                     header.version(), keeps_alive(header));
        }
        // A browser's preflight is answered without credentials (it never sends any).
        const auto origin = std::string(header[http::field::origin]);
        bool preflight = false;
        const bool asks_preflight = !refusal && is_preflight(header);
        if (asks_preflight) {
            refusal = answer_preflight(header, limits.cors);
            preflight = parser.is_done();  // no body left unread: the connection can go on
        }
        // The web-service call the request makes, if its route is one.
        std::optional<simple_call> call;
        std::optional<response> route_refusal;
        if (!refusal && found.shape && found.shape->service != web_service::none) {
            call = make_web_service_call(found.shape->service, header, *target,
                                         found.param("operation"), found.matrix);
            // An API's route names the operation; its 404, 405 or 410 comes after admission
            // (unknown callers learn nothing of the routes), before any body is read.
            if (call->protocol == web_service::rest) {
                route_refusal = route_rest_call(*call, header, *target, svc);
            } else if (const auto& base_path = found.param("path"); !base_path.empty()) {
                route_refusal = route_api_soap_call(*call, base_path, header, svc);
            }
        }
        // Who calls is settled before any body is read: an unknown caller cannot make the
        // server read (or store) a single body byte.
        std::string user;
        if (!refusal) {
            const request_source from{client_address(header, peer_address, limits.links),
                                      socket.tls() ? &certificate : nullptr};
            auto admitted = admit(header, call, role, from, svc);
            if (auto* refused = std::get_if<response>(&admitted)) {
                refusal = std::move(*refused);
            } else {
                user = std::move(std::get<caller>(admitted).user);
            }
        }

        if (!refusal && route_refusal) refusal = std::move(route_refusal);
        // A browser changes state only from the console's own pages (browser_guard.hpp).
        if (!refusal && role == route_role::admin) {
            refusal = refuse_cross_site(header, socket.tls() != nullptr,
                                        link_base(header, socket.tls() != nullptr, limits.links));
        }

        // A paused operation is turned away before its body is read.
        std::string operation_label = role == route_role::services ? "other" : "admin";
        if (call && call->protocol == web_service::simple) {
            // The one lookup of the request: the handlers use what it found.
            call->served = svc.gateway->find_operation(call->operation);
        }
        if (call && (call->protocol == web_service::simple || call->api)) {
            const auto& served = call->served;
            operation_label = served.process ? call->operation : "unknown";
            if (!refusal && served.paused) {
                refusal = paused_listener(header, call->operation, served.process->name);
            }
        }

        // A bulk post streams its body into the store as it arrives (bulk_handler.hpp).
        std::optional<response> streamed;
        std::optional<bulk_call> bulk;
        if (!refusal) {
            bulk = find_bulk_call(parser.get(), call);
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
            const auto body_ec =
                co_await read_request(socket, buffer, parser, timer, limits.body_timeout, true);
            if (timer.expired()) {
                refusal = error_response(http::status::request_timeout, "body_timeout",
                                         "the request body was not received in time");
            } else if (is_parse_error(body_ec)) {
                refusal = parse_failure(body_ec);
            } else if (body_ec) {
                break;
            }
        }

        // Links are made before the request is handed on (route takes it).
        std::string links;
        if (!refusal) links = link_base(parser.get(), socket.tls() != nullptr, limits.links);
        if (!refusal && call && (is_soap(call->protocol) || call->protocol == web_service::rest)) {
            // The WSDL's and OpenAPI's addresses are absolute: the external base, or how this host
            // was called.
            call->base_url = !links.empty() ? links
                                            : (socket.tls() ? "https://" : "http://") +
                                                  std::string(parser.get()[http::field::host]);
        }

        // After a refused request the stream position is unknown: answer and close.
        // (No co_await inside ?: : GCC 12 miscompiles it.)
        // A SOAP client is answered in SOAP, whatever turned it away (`call` moves on below).
        const auto fault_protocol =
            refusal && call && is_soap(call->protocol) ? call->protocol : web_service::none;
        response res;
        if (refusal) {
            res = std::move(*refusal);
        } else if (streamed) {
            res = std::move(*streamed);
        } else {
            // The view stays valid: the released request takes the target's storage with it.
            std::optional<boost::urls::url_view> routed_target;
            if (target) routed_target = *target;
            connection_response_stream stream(socket, timer, limits.idle_timeout);
            res = co_await dispatch(std::move(found), routed_target, parser.release(),
                                    std::move(call), std::move(user), svc, stream);
            if (stream.started()) break;  // the handler wrote its answer itself: close
        }
        if (fault_protocol != web_service::none) res = soap_fault(std::move(res), fault_protocol);
        rebase_links(res, links);
        // A preflight's answer is complete (and a refused one must not look allowed).
        if (const auto* rule = asks_preflight ? nullptr : find_cors_rule(limits.cors, origin)) {
            add_cors_headers(res, *rule, origin);
        }
        if (svc.state.load() == server_state::draining) res.keep_alive(false);
        svc.counters.count(res.result_int());
        svc.requests.record(
            operation_label, res.result_int(),
            std::chrono::duration<double>(std::chrono::steady_clock::now() - request_started)
                .count());
        const bool keep_alive = res.keep_alive() && (!refusal || preflight);
        if (refusal && !preflight) res.keep_alive(false);

        timer.arm(limits.idle_timeout);
        const auto write_ec = co_await write_response(socket, res);
        timer.disarm();
        if (write_ec && timer.expired()) {
            // The client did not take its answer within the idle timeout: a reset, so that the
            // kernel drops what it still holds for this client too (a close would go on
            // sending it, as slowly as the client reads).
            abort_connection(socket.socket());
            co_return;
        }
        if (write_ec) break;
        if (refusal && !preflight) {
            co_await shut_down_send(socket, timer);
            co_await linger(socket, timer);
            boost::system::error_code ignored;
            socket.socket().close(ignored);
            co_return;
        }
        if (!keep_alive) break;
    }
    co_await shut_down_send(socket, timer);
    boost::system::error_code ignored;
    socket.socket().close(ignored);
}

}  // namespace ferry::ingress
