#include "ferry/engine/run/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "run/partner_connections.hpp"

namespace ferry::engine {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct target {
    bool tls = false;
    std::string host;
    std::string port;
    std::string path;  // origin form: path and query
};

boost::system::result<target, std::string> parse_target(const std::string& url) {
    const auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return {boost::system::in_place_error, "'" + url + "' is not a valid URL"};
    target t;
    const auto scheme = parsed->scheme();
    if (scheme == "https") {
        t.tls = true;
    } else if (scheme != "http") {
        return {boost::system::in_place_error, "'" + url + "' is neither http:// nor https://"};
    }
    t.host = parsed->host_address();
    if (t.host.empty()) return {boost::system::in_place_error, "'" + url + "' names no host"};
    t.port = parsed->has_port() ? std::string(parsed->port()) : (t.tls ? "443" : "80");
    t.path = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
    if (parsed->has_query()) t.path += "?" + std::string(parsed->encoded_query());
    return t;
}

/// TLS client contexts are costly to build (the system CA store is read): one per trust
/// setting, shared by every thread (an SSL_CTX may be used by several connections at once).
boost::system::result<std::shared_ptr<ssl::context>, std::string> client_context(
    const http_request& req) {
    static std::mutex mutex;
    static std::map<std::pair<std::string, bool>, std::shared_ptr<ssl::context>> contexts;
    std::lock_guard lock(mutex);
    auto& slot = contexts[{req.ca_file, req.verify_tls}];
    if (!slot) {
        auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
        ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
        ctx->set_default_verify_paths();
        boost::system::error_code unreadable;
        if (!req.ca_file.empty()) ctx->load_verify_file(req.ca_file, unreadable);
        if (unreadable) {
            return {boost::system::in_place_error,
                    "cannot use ca_file " + req.ca_file + ": " + unreadable.message()};
        }
        ctx->set_verify_mode(req.verify_tls ? ssl::verify_peer : ssl::verify_none);
        // Sessions to resume come from the partner pools (SSL_get1_session after a call).
        SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_CLIENT);
        slot = std::move(ctx);
    }
    return slot;
}

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Why an exchange failed, in words.
std::string describe(const beast::error_code& ec, const http_request& req) {
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
        return "no complete response within " + std::to_string(req.timeout.count()) + " ms";
    }
    if (ec == http::error::body_limit) {
        return "the response is larger than " + std::to_string(req.max_response_bytes) + " bytes";
    }
    return ec.message();
}

// One request and its response over an open connection.
struct exchanged {
    http_result result = http_result(boost::system::in_place_error, "");
    bool reusable = false;  // the partner keeps the connection open and the response is read
    bool answered = false;  // a byte of the response arrived (a failure after that is no race)
};

template <class Stream>
asio::awaitable<exchanged> exchange(Stream& stream, const http_request& req, const target& t) {
    exchanged done;
    http::request<http::string_body> out;
    out.method_string(req.method);
    out.target(t.path);
    out.version(11);
    const bool default_port = t.port == (t.tls ? "443" : "80");
    out.set(http::field::host, default_port ? t.host : t.host + ":" + t.port);
    out.set(http::field::user_agent, "ferry");
    for (const auto& [name, value] : req.headers) out.set(name, value);
    if (req.has_body) out.body() = req.body;
    out.prepare_payload();
    auto [write_ec, written] = co_await http::async_write(stream, out, use_tuple);
    if (write_ec) {
        done.result = http_result(boost::system::in_place_error, describe(write_ec, req));
        co_return done;
    }

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(req.max_response_bytes);
    if (req.method == "HEAD") parser.skip(true);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    done.answered = read > 0 || parser.got_some();
    if (read_ec) {
        done.result = http_result(boost::system::in_place_error, describe(read_ec, req));
        co_return done;
    }
    auto& in = parser.get();
    http_response res;
    res.status = in.result_int();
    res.reason = std::string(in.reason());
    for (const auto& field : in) {
        res.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    res.body = std::move(in.body());
    done.reusable = in.keep_alive() && buffer.size() == 0;
    done.result = std::move(res);
    co_return done;
}

// The partner's addresses, within the attempt's deadline. A literal address needs no lookup
// (and no resolver thread).
asio::awaitable<boost::system::result<tcp::resolver::results_type, std::string>> resolve(
    const target& t, const http_request& req, std::chrono::steady_clock::time_point deadline) {
    using namespace asio::experimental::awaitable_operators;
    using found = boost::system::result<tcp::resolver::results_type, std::string>;
    auto ex = co_await asio::this_coro::executor;
    boost::system::error_code not_literal;
    const auto address = asio::ip::make_address(t.host, not_literal);
    const auto port = static_cast<unsigned short>(std::strtoul(t.port.c_str(), nullptr, 10));
    if (!not_literal) {
        co_return tcp::resolver::results_type::create(tcp::endpoint(address, port), t.host, t.port);
    }
    tcp::resolver resolver(ex);
    asio::steady_timer timer(ex, deadline);
    auto raced =
        co_await (resolver.async_resolve(t.host, t.port, use_tuple) || timer.async_wait(use_tuple));
    if (raced.index() == 1) {
        co_return found(
            boost::system::in_place_error,
            "no complete response within " + std::to_string(req.timeout.count()) + " ms");
    }
    auto [ec, endpoints] = std::get<0>(std::move(raced));
    if (ec) co_return found(boost::system::in_place_error, ec.message());
    co_return endpoints;
}

// Opens a connection to the partner within the deadline: TCP, and for https the TLS
// handshake (resuming the pool's session with the partner when there is one).
asio::awaitable<boost::system::result<std::unique_ptr<partner_connection>, std::string>> open(
    const target& t, const partner_address& to, const http_request& req,
    std::chrono::steady_clock::time_point deadline, partner_pool* pool) {
    using opened = boost::system::result<std::unique_ptr<partner_connection>, std::string>;
    auto endpoints = co_await resolve(t, req, deadline);
    if (!endpoints) co_return opened(boost::system::in_place_error, endpoints.error());
    auto ex = co_await asio::this_coro::executor;
    auto connection = std::make_unique<partner_connection>();
    if (!t.tls) {
        connection->plain.emplace(ex);
    } else {
        const auto context = client_context(req);
        if (!context) co_return opened(boost::system::in_place_error, context.error());
        connection->secure.emplace(ex, **context);
        auto* ssl = connection->secure->native_handle();
        if (!SSL_set_tlsext_host_name(ssl, t.host.c_str())) {
            co_return opened(boost::system::in_place_error, "cannot set the TLS server name");
        }
        if (req.verify_tls)
            connection->secure->set_verify_callback(ssl::host_name_verification(t.host));
        if (auto* session = pool ? pool->session(to) : nullptr) SSL_set_session(ssl, session);
    }
    auto& tcp_layer = connection->tcp();
    tcp_layer.expires_at(deadline);
    auto [connect_ec, peer] = co_await tcp_layer.async_connect(*endpoints, use_tuple);
    if (connect_ec) co_return opened(boost::system::in_place_error, describe(connect_ec, req));
    if (connection->secure) {
        auto [handshake_ec] =
            co_await connection->secure->async_handshake(ssl::stream_base::client, use_tuple);
        if (handshake_ec) {
            co_return opened(boost::system::in_place_error, describe(handshake_ec, req));
        }
    }
    if (pool)
        pool->count_opened(connection->secure &&
                           SSL_session_reused(connection->secure->native_handle()));
    co_return connection;
}

asio::awaitable<exchanged> exchange_over(partner_connection& connection, const http_request& req,
                                         const target& t) {
    if (connection.secure) co_return co_await exchange(*connection.secure, req, t);
    co_return co_await exchange(*connection.plain, req, t);
}

void close(partner_connection& connection) {
    // Peers often drop the connection instead of answering close_notify: not an error here.
    beast::error_code ignored;
    connection.tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

asio::awaitable<http_result> http_fetch(const http_request& req, partner_pool* pool) {
    const auto t = parse_target(req.url);
    if (!t) co_return http_result(boost::system::in_place_error, t.error());
    const partner_address to{t->tls, t->host, t->port, req.ca_file, req.verify_tls};
    // The partner's bound: a call past it waits here, within nobody's attempt time.
    partner_limits::slot place;
    if (pool) place = co_await pool->limits().enter(to.name(), req.max_connections);
    const auto deadline = std::chrono::steady_clock::now() + req.timeout;
    for (;;) {
        auto connection = pool ? pool->take_idle(to) : nullptr;
        const bool kept = connection != nullptr;
        if (kept) {
            pool->count_reused();
        } else {
            auto opened = co_await open(*t, to, req, deadline, pool);
            if (!opened) co_return http_result(boost::system::in_place_error, opened.error());
            connection = std::move(*opened);
        }
        connection->tcp().expires_at(deadline);
        auto done = co_await exchange_over(*connection, req, *t);
        // A kept connection the partner closed while it was idle fails before any answer:
        // the request goes again over a new one (that race is the only failure retried here).
        if (!done.result && kept && !done.answered) continue;
        // TLS 1.3 tickets arrive after the handshake: the session to resume is taken once the
        // response has been read.
        if (done.result && pool && connection->secure) {
            pool->remember_session(to, connection->secure->native_handle());
        }
        if (done.result && done.reusable && pool) {
            connection->tcp().expires_never();
            ++connection->exchanges;
            pool->keep(to, std::move(connection));
        } else {
            close(*connection);
        }
        co_return std::move(done.result);
    }
}

}  // namespace ferry::engine
