#include "support/https_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace ferry::test {
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;

http_reply https_request(std::uint16_t port, const tls_client& tls, const std::string& method,
                         const std::string& target, const std::string& body,
                         const std::map<std::string, std::string>& headers, std::string* error) {
    const auto failed = [&](const std::string& what, const boost::system::error_code& ec) {
        if (error) *error = what + ": " + ec.message();
        return http_reply{};
    };
    ssl::context ctx(ssl::context::tls_client);
    boost::system::error_code ec;
    ctx.load_verify_file(tls.ca_file, ec);
    if (ec) return failed("CA file", ec);
    if (!tls.cert_file.empty()) {
        ctx.use_certificate_chain_file(tls.cert_file, ec);
        if (ec) return failed("client certificate", ec);
        ctx.use_private_key_file(tls.key_file, ssl::context::pem, ec);
        if (ec) return failed("client key", ec);
    }
    ctx.set_verify_mode(ssl::verify_peer);
    asio::io_context io;
    ssl::stream<asio::ip::tcp::socket> stream(io, ctx);
    stream.set_verify_callback(ssl::host_name_verification("localhost"));
    stream.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return failed("connect", ec);
    stream.handshake(ssl::stream_base::client, ec);
    if (ec) return failed("handshake", ec);
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "localhost");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST") req.prepare_payload();
    http::write(stream, req, ec);
    if (ec) return failed("write", ec);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res, ec);
    if (ec) return failed("read", ec);
    http_reply out;
    out.status = res.result_int();
    for (const auto& f : res) out.headers[std::string(f.name_string())] = std::string(f.value());
    out.body = res.body();
    stream.shutdown(ec);  // close_notify both ways; the server answers it
    return out;
}

}  // namespace ferry::test
