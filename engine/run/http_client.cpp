#include "run/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <map>
#include <memory>

namespace ferry::engine {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using result = boost::system::result<http_response, std::string>;

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

/// TLS client contexts are costly to build (the system CA store is read); one per thread and
/// trust setting.
ssl::context& client_context(const http_request& req) {
    thread_local std::map<std::pair<std::string, bool>, std::unique_ptr<ssl::context>> contexts;
    auto& slot = contexts[{req.ca_file, req.verify_tls}];
    if (!slot) {
        auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
        ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
        ctx->set_default_verify_paths();
        if (!req.ca_file.empty()) ctx->load_verify_file(req.ca_file);
        ctx->set_verify_mode(req.verify_tls ? ssl::verify_peer : ssl::verify_none);
        slot = std::move(ctx);
    }
    return *slot;
}

template <class Stream>
asio::awaitable<http_response> exchange(Stream& stream, const http_request& req, const target& t) {
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
    co_await http::async_write(stream, out, asio::use_awaitable);

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(req.max_response_bytes);
    if (req.method == "HEAD") parser.skip(true);
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    auto& in = parser.get();
    http_response res;
    res.status = in.result_int();
    res.reason = std::string(in.reason());
    for (const auto& field : in) {
        res.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    res.body = std::move(in.body());
    co_return res;
}

asio::awaitable<http_response> fetch(const http_request& req, const target& t) {
    auto ex = co_await asio::this_coro::executor;
    tcp::resolver resolver(ex);
    const auto endpoints = co_await resolver.async_resolve(t.host, t.port, asio::use_awaitable);
    if (!t.tls) {
        beast::tcp_stream stream(ex);
        co_await stream.async_connect(endpoints, asio::use_awaitable);
        auto res = co_await exchange(stream, req, t);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return res;
    }
    ssl::stream<beast::tcp_stream> stream(ex, client_context(req));
    if (!SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str())) {
        throw std::runtime_error("cannot set the TLS server name");
    }
    if (req.verify_tls) stream.set_verify_callback(ssl::host_name_verification(t.host));
    co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
    co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    auto res = co_await exchange(stream, req, t);
    // Peers often drop the connection instead of answering close_notify: not an error here.
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return res;
}

}  // namespace

result http_fetch(const http_request& req) {
    const auto t = parse_target(req.url);
    if (!t) return {boost::system::in_place_error, t.error()};
    asio::io_context ioc(1);
    std::optional<result> outcome;
    asio::co_spawn(ioc, fetch(req, *t), [&](std::exception_ptr error, http_response res) {
        if (!error) {
            outcome.emplace(std::move(res));
            return;
        }
        try {
            std::rethrow_exception(error);
        } catch (const boost::system::system_error& e) {
            std::string why = e.code().message();
            if (e.code() == http::error::body_limit) {
                why = "the response is larger than " + std::to_string(req.max_response_bytes) +
                      " bytes";
            }
            outcome.emplace(boost::system::in_place_error, why);
        } catch (const std::exception& e) {
            outcome.emplace(boost::system::in_place_error, e.what());
        }
    });
    // One deadline for everything, resolve included: what has not finished by then is
    // abandoned with the io_context.
    ioc.run_for(req.timeout);
    if (!outcome) {
        return {boost::system::in_place_error,
                "no complete response within " + std::to_string(req.timeout.count()) + " ms"};
    }
    return std::move(*outcome);
}

}  // namespace ferry::engine
