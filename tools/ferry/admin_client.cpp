#include "admin_client.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <cstdlib>
#include <ctime>

#include "ferry/engine/intake/request_properties.hpp"

namespace ferry::tools {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string from_env(const char* name, std::string fallback) {
    const char* value = std::getenv(name);
    return value && *value ? value : fallback;
}

template <class Stream>
std::optional<admin_reply> exchange(Stream& stream, http::request<http::string_body>& req,
                                    std::string* error) {
    boost::system::error_code ec;
    http::write(stream, req, ec);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    if (!ec) http::read(stream, buffer, parser, ec);
    if (ec) {
        *error = "the server did not answer: " + ec.message();
        return std::nullopt;
    }
    return admin_reply{static_cast<int>(parser.get().result_int()), parser.get().body()};
}

}  // namespace

void add_connection_options(CLI::App* cmd, admin_connection& c) {
    c.server = from_env("FERRY_SERVER", c.server);
    c.user = from_env("FERRY_USER", c.user);
    c.token = from_env("FERRY_TOKEN", c.token);
    cmd->add_option("--server", c.server,
                    "The server's admin address, http(s)://HOST:PORT (env FERRY_SERVER)")
        ->capture_default_str();
    cmd->add_option("--user", c.user, "Admin user for --admin-auth basic (env FERRY_USER)");
    cmd->add_option("--token", c.token, "That user's token (env FERRY_TOKEN)");
    cmd->add_option("--ca", c.ca_file, "CA file that signs the server's certificate (https)");
    cmd->add_option("--cert", c.cert_file, "Client certificate (--admin-auth client_cert)");
    cmd->add_option("--key", c.key_file, "The client certificate's key");
    cmd->add_flag("--json", c.json, "JSON output for scripts");
}

std::optional<admin_reply> admin_request(const admin_connection& c, const std::string& method,
                                         const std::string& target, std::string* error,
                                         const std::string& body, const std::string& content_type) {
    const auto url = boost::urls::parse_absolute_uri(c.server);
    if (!url || (url->scheme() != "http" && url->scheme() != "https")) {
        *error = "--server must be http://HOST:PORT or https://HOST:PORT, not '" + c.server + "'";
        return std::nullopt;
    }
    const bool tls = url->scheme() == "https";
    std::string host(url->encoded_host());
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    const std::string port = url->has_port() ? std::string(url->port()) : (tls ? "443" : "80");
    const std::string prefix(url->encoded_path());

    http::request<http::string_body> req{http::string_to_verb(method),
                                         (prefix == "/" ? "" : prefix) + target, 11};
    req.set(http::field::host, url->encoded_authority());
    req.set(http::field::user_agent, "ferry-cli");
    if (!c.user.empty()) {
        req.set(http::field::authorization,
                "Basic " + engine::base64_encode(c.user + ":" + c.token));
    }
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = body;
    if (method != "GET") req.prepare_payload();

    asio::io_context io;
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(host, port, ec);
    if (ec) {
        *error = "cannot resolve " + host + ": " + ec.message();
        return std::nullopt;
    }
    const auto unreachable = [&] {
        *error =
            "cannot connect to " + c.server + ": " + ec.message() + " (is ferry serve running?)";
        return std::nullopt;
    };
    if (!tls) {
        tcp::socket socket(io);
        asio::connect(socket, endpoints, ec);
        if (ec) return unreachable();
        return exchange(socket, req, error);
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    if (c.ca_file.empty()) {
        ctx.set_default_verify_paths(ec);
    } else {
        ctx.load_verify_file(c.ca_file, ec);
    }
    if (!ec && !c.cert_file.empty()) ctx.use_certificate_chain_file(c.cert_file, ec);
    if (!ec && !c.key_file.empty())
        ctx.use_private_key_file(c.key_file, asio::ssl::context::pem, ec);
    if (ec) {
        *error = "TLS set-up failed: " + ec.message();
        return std::nullopt;
    }
    ctx.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<tcp::socket> stream(io, ctx);
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    asio::connect(stream.next_layer(), endpoints, ec);
    if (ec) return unreachable();
    stream.handshake(asio::ssl::stream_base::client, ec);
    if (ec) {
        *error = "TLS handshake with " + c.server + " failed: " + ec.message();
        return std::nullopt;
    }
    return exchange(stream, req, error);
}

int report_failure(const admin_reply& reply) {
    std::string error = "error";
    std::string detail = reply.body;
    boost::system::error_code ec;
    const auto body = boost::json::parse(reply.body, ec);
    if (!ec && body.is_object()) {
        if (const auto* e = body.as_object().if_contains("error"); e && e->is_string()) {
            error = e->as_string();
        }
        if (const auto* d = body.as_object().if_contains("detail"); d && d->is_string()) {
            detail = d->as_string();
        }
    }
    std::fprintf(stderr, "ferry: %s (HTTP %d, %s)\n", detail.c_str(), reply.status, error.c_str());
    if (reply.status == 401) {
        std::fprintf(stderr,
                     "ferry: give an admin user with --user/--token (or FERRY_USER, "
                     "FERRY_TOKEN)\n");
    }
    return reply.status == 401 || reply.status == 403 ? 3 : 1;
}

std::variant<boost::json::value, int> admin_json(
    const admin_connection& c, const std::string& method, const std::string& target,
    std::initializer_list<int> expected, const std::string& body, const std::string& content_type) {
    std::string error;
    const auto reply = admin_request(c, method, target, &error, body, content_type);
    if (!reply) {
        std::fprintf(stderr, "ferry: %s\n", error.c_str());
        return 2;
    }
    if (std::find(expected.begin(), expected.end(), reply->status) == expected.end()) {
        return report_failure(*reply);
    }
    boost::system::error_code ec;
    auto parsed = boost::json::parse(reply->body, ec);
    if (ec) {
        std::fprintf(stderr, "ferry: the server's answer is not JSON: %s\n", ec.message().c_str());
        return 1;
    }
    return parsed;
}

std::string json_text(const boost::json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_null()) return "";
    return boost::json::serialize(v);
}

std::string short_time(const boost::json::value& v) {
    auto t = json_text(v);
    if (t.size() >= 19) t = t.substr(0, 10) + " " + t.substr(11, 8);
    return t;
}

std::string clipped(std::string s, std::size_t width) {
    if (s.size() > width) s = s.substr(0, width - 1) + "~";
    return s;
}

void fail_with(int code) {
    if (code != 0) throw CLI::RuntimeError(code);
}

std::string table_time(std::int64_t ms) {
    if (ms <= 0) return "-";
    const std::time_t seconds = ms / 1000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S", &tm);
    return out;
}

std::string url_encoded(const std::string& s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace ferry::tools
