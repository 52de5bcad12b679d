// Abuse at the edge (issue 28), against the real binary: request smuggling shapes, transfer
// codings ferry does not take, hostile target encodings, many requests on one connection,
// pipelining past a refusal, 10,000 idle connections, a TLS handshake flood and a client that
// reads its answer a byte at a time. Each gets its specific status or is cut at its limit,
// other callers are served throughout, nothing refused is stored, and the server's memory
// stays bounded (measured from /proc and printed).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <thread>

#include "support/admin_client.hpp"
#include "support/close_with_reset.hpp"
#include "support/eventually.hpp"
#include "support/hostile_load.hpp"
#include "support/http_client.hpp"
#include "support/https_client.hpp"
#include "support/processes.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

namespace ferry {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Under AddressSanitizer freed memory waits in a quarantine (256 MB) before it is reused, and
// ThreadSanitizer keeps shadow memory for every byte: the server's memory then grows with what
// it allocated, not with what it holds. The memory bounds are checked in the other builds, and
// only printed in these.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool instrumented_memory = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool instrumented_memory = true;
#else
constexpr bool instrumented_memory = false;
#endif
#else
constexpr bool instrumented_memory = false;
#endif

// A memory bound that holds unless a sanitizer instruments memory.
void expect_memory_below(long grown_kb, long bound_kb, const std::string& what) {
    if (!instrumented_memory) {
        EXPECT_LT(grown_kb, bound_kb) << what;
    }
}

std::size_t count_of(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

// The status line's code of the first answer in `raw` (0 when there is none).
int first_status(const std::string& raw) {
    if (!raw.starts_with("HTTP/1.")) return 0;
    return std::atoi(raw.c_str() + 9);
}

constexpr const char* keep_process =
    "name: keepThing\n"
    "mode: general\n"
    "listen: {type: create, object: Thing, input: multiple_json, output: none}\n"
    "steps:\n"
    "  - message: {template: \"{1}\", variables: [current_data]}\n";

}  // namespace

class EdgeAbuseTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("echo.yaml", test::echo_process());
        processes_.write("keep.yaml", keep_process);
    }

    // Executions of keepThing in the history.
    std::size_t stored(std::uint16_t port) {
        const auto res =
            test::http_request(port, "GET", "/_admin/executions?process=keepThing&limit=500");
        return boost::json::parse(res.body).at("executions").as_array().size();
    }

    test::temp_dir processes_;
    test::temp_dir data_;
};

// Each shape a proxy and a server could read differently is refused before any body is read,
// with its own status; the connection is closed, so what was smuggled behind it is never
// answered; nothing is stored.
TEST_F(EdgeAbuseTest, SmugglingShapesAreRefusedAndCloseTheConnection) {
    test::server_process server(processes_.str(), data_.str());
    const std::string post = "POST /ws/simple/createThing HTTP/1.1\r\nHost: x\r\n";
    const std::string smuggled = "GET /_admin/status HTTP/1.1\r\nHost: x\r\n\r\n";
    struct shape {
        std::string name;
        std::string head;  // header lines after the request line and Host
        std::string body;
        int status;
        std::string error;
    };
    const std::vector<shape> shapes = {
        {"Content-Length then Transfer-Encoding",
         "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n", 400, "malformed_http"},
        {"Transfer-Encoding then Content-Length",
         "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", "0\r\n\r\n", 400, "malformed_http"},
        {"two different lengths", "Content-Length: 2\r\nContent-Length: 40\r\n", "[]", 400,
         "malformed_http"},
        {"a negative length", "Content-Length: -2\r\n", "[]", 400, "malformed_http"},
        {"a length with a sign", "Content-Length: +2\r\n", "[]", 400, "malformed_http"},
        {"two Transfer-Encoding fields",
         "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n", 400, ""},
        {"chunked twice", "Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n", 400,
         "bad_transfer_encoding"},
        {"gzip", "Transfer-Encoding: gzip\r\n", "", 501, "unsupported_transfer_coding"},
        {"gzip, then chunked", "Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n", 501,
         "unsupported_transfer_coding"},
        {"identity", "Transfer-Encoding: identity\r\nContent-Length: 2\r\n", "[]", 501,
         "unsupported_transfer_coding"},
        {"a space before the colon", "Transfer-Encoding : chunked\r\n", "0\r\n\r\n", 400,
         "malformed_http"},
    };
    for (const auto& s : shapes) {
        const auto raw =
            test::raw_exchange(server.port(), post + s.head + "\r\n" + s.body + smuggled);
        EXPECT_EQ(first_status(raw), s.status) << s.name << ":\n" << raw;
        if (!s.error.empty()) {
            EXPECT_NE(raw.find(s.error), std::string::npos) << s.name << raw;
        }
        EXPECT_EQ(count_of(raw, "HTTP/1.1 "), 1u) << s.name << ": the smuggled request was read\n"
                                                  << raw;
    }
    // HTTP/1.0 with Transfer-Encoding.
    const auto old = test::raw_exchange(
        server.port(),
        "POST /ws/simple/createThing HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2\r\n[]\r\n0\r\n\r\n");
    EXPECT_EQ(first_status(old), 400) << old;
    EXPECT_NE(old.find("bad_transfer_encoding"), std::string::npos) << old;
    EXPECT_EQ(stored(server.port()), 0u);
}

// An obsolete folded line is joined to the header it continues (RFC 9112 5.2 allows that or
// a 400): it can never become a header of its own, so a Transfer-Encoding hidden in a
// continuation is only text, and the body is read by its Content-Length.
TEST_F(EdgeAbuseTest, AFoldedLineNeverBecomesAHeaderOfItsOwn) {
    test::server_process server(processes_.str(), data_.str());
    const auto raw = test::raw_exchange(
        server.port(),
        "POST /ws/simple/createThing HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n Transfer-Encoding: "
        "chunked\r\nContent-Length: 9\r\nConnection: close\r\n\r\n[{\"a\":1}]");
    EXPECT_EQ(first_status(raw), 202) << raw;
    EXPECT_EQ(count_of(raw, "HTTP/1.1 "), 1u) << raw;
    EXPECT_EQ(stored(server.port()), 1u);
}

TEST_F(EdgeAbuseTest, HostileTargetsAndHeadersGetTheirStatus) {
    test::server_process server(processes_.str(), data_.str());
    struct probe {
        std::string request_line;
        std::string extra_header;
        int status;
        std::string error;
    };
    const std::vector<probe> probes = {
        {"POST /ws/simple/create%00Thing", "", 400, "bad_target"},
        {"POST /ws/simple/createThing?note=a%00b", "", 400, "bad_target"},
        {"POST /ws/simple/%c0%afcreateThing", "", 400, "bad_target"},
        {"POST /ws/simple/createThing;region=%c0%af", "", 400, "bad_target"},
        {"POST /ws/simple/createThing?q=%ff", "", 400, "bad_target"},
        {"POST /ws/simple/createThing?%ed%a0%80=1", "", 400, "bad_target"},
        {"GET /ws/simple/../../_admin/status", "", 404, "not_found"},
        {"GET /ws/simple/%2e%2e/%2e%2e/_admin/status", "", 404, "not_found"},
        {"POST /_admin/../ws/simple/createThing", "", 404, "not_found"},
        {"POST /ws/simple/\xc0\xaf", "", 400, "bad_target"},
        {"POST /ws/simple/createThing",
         "X-Note: a\x01"
         "b\r\n",
         400, "malformed_http"},
        {"POST /ws/simple/createThing", std::string("X-Note: a\0b\r\n", 13), 400, "malformed_http"},
    };
    for (const auto& p : probes) {
        const auto raw = test::raw_exchange(
            server.port(), p.request_line + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                               p.extra_header + "Content-Length: 2\r\n\r\n[]");
        EXPECT_EQ(first_status(raw), p.status) << p.request_line << "\n" << raw;
        EXPECT_NE(raw.find(p.error), std::string::npos) << p.request_line << "\n" << raw;
        // Every error answer is JSON a strict reader takes.
        const auto body = raw.substr(raw.find("\r\n\r\n") + 4);
        boost::system::error_code ec;
        (void)boost::json::parse(body, ec);
        EXPECT_FALSE(ec) << p.request_line << ": " << body;
    }
    // Header text that is not UTF-8 may reach a process (Latin-1 filenames exist): it is kept,
    // and shown in the history as well-formed JSON.
    const auto posted =
        test::raw_exchange(server.port(),
                           "POST /ws/simple/createThing HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json; name=caf\xe9\r\nContent-Length: 2\r\nConnection: "
                           "close\r\n\r\n[]");
    ASSERT_EQ(first_status(posted), 202) << posted;
    const auto id = boost::json::parse(posted.substr(posted.find("\r\n\r\n") + 4))
                        .at("execution_id")
                        .as_string();
    const auto shown =
        test::http_request(server.port(), "GET", "/_admin/executions/" + std::string(id));
    EXPECT_EQ(shown.status, 200) << shown.body;
    EXPECT_EQ(stored(server.port()), 1u);
}

// Many small requests on one keep-alive connection, then pipelined ones with a refused one in
// the middle: answered in order up to the refusal, which closes the connection.
TEST_F(EdgeAbuseTest, ManyRequestsOnOneConnectionAndPipelining) {
    test::server_process server(processes_.str(), data_.str());
    const auto before_kb = test::memory_kb(server.pid(), "VmRSS");
    test::http_session session(server.port());
    constexpr int requests = 10'000;
    int ok = 0;
    for (int i = 0; i < requests; ++i) {
        const auto body = std::to_string(i);
        const auto res = session.request("POST", "/ws/simple/executeEcho", body);
        ok += res.status == 200 && res.body == body ? 1 : 0;
    }
    EXPECT_EQ(ok, requests);
    const auto after_kb = test::memory_kb(server.pid(), "VmRSS");
    std::cout << "[ edge     ] " << requests << " requests on one connection: RSS " << before_kb
              << " kB before, " << after_kb << " kB after\n";
    expect_memory_below(after_kb - before_kb, 64 * 1024, "10,000 requests on one connection");

    const std::string echo =
        "POST /ws/simple/executeEcho HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none";
    const std::string refused =
        "POST /ws/simple/executeEcho HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n";
    const auto raw = test::raw_exchange(server.port(), echo + echo + refused + echo);
    EXPECT_EQ(count_of(raw, "HTTP/1.1 200"), 2u) << raw;
    EXPECT_EQ(count_of(raw, "HTTP/1.1 501"), 1u) << raw;
    EXPECT_EQ(count_of(raw, "HTTP/1.1 "), 3u) << raw;
    EXPECT_LT(raw.find("HTTP/1.1 200"), raw.find("HTTP/1.1 501")) << raw;
}

// 10,000 connections that made one request each and then sit idle: every one is held (no
// refusal), other callers are served, and the server's memory grows by a bounded amount per
// connection; at the idle timeout they are all closed.
TEST_F(EdgeAbuseTest, TenThousandIdleConnections) {
    test::raise_descriptor_limit();
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    // This process holds one end of each connection, the server (which inherits the limit)
    // the other.
    if (limit.rlim_cur < 11'000) {
        GTEST_SKIP() << "needs 11,000 file descriptors, has " << limit.rlim_cur;
    }
    test::server_process server(processes_.str(), data_.str(),
                                {"--max-connections", "12000", "--idle-timeout-ms", "30000"});
    const auto before_kb = test::memory_kb(server.pid(), "VmRSS");
    test::bystander others(server.port());
    asio::io_context io;
    std::vector<tcp::socket> idle;
    idle.reserve(10'000);
    const std::string request = "GET /_admin/status HTTP/1.1\r\nHost: x\r\n\r\n";
    std::array<char, 1024> answer{};
    for (int i = 0; i < 10'000; ++i) {
        tcp::socket s(io);
        s.connect({asio::ip::make_address("127.0.0.1"), server.port()});
        asio::write(s, asio::buffer(request));
        idle.push_back(std::move(s));
    }
    std::size_t answered = 0;
    for (auto& s : idle) {
        boost::system::error_code ec;
        const auto n = s.read_some(asio::buffer(answer), ec);
        answered += !ec && std::string_view(answer.data(), n).starts_with("HTTP/1.1 200") ? 1 : 0;
    }
    EXPECT_EQ(answered, idle.size());
    const auto held_kb = test::memory_kb(server.pid(), "VmRSS");
    const auto echo = test::http_request(server.port(), "POST", "/ws/simple/executeEcho", "still");
    EXPECT_EQ(echo.status, 200);
    EXPECT_EQ(echo.body, "still");
    std::cout << "[ edge     ] 10,000 idle connections: RSS " << before_kb << " kB before, "
              << held_kb << " kB holding them (" << (held_kb - before_kb) * 1024 / 10'000
              << " bytes each)\n";
    // A connection's buffers and coroutine: far below 64 KB each.
    expect_memory_below(held_kb - before_kb, 10'000 * 64, "10,000 idle connections");
    EXPECT_GT(others.ok.load(), 0);
    EXPECT_EQ(others.failed.load(), 0);
    for (auto& s : idle) test::close_with_reset(s);
}

// A flood of TLS connections that never finish their handshake (silent, or garbage), beside
// clients that handshake properly: the broken ones are cut at the header timeout and counted,
// the others are served throughout.
TEST_F(EdgeAbuseTest, TlsHandshakeFlood) {
    test::raise_descriptor_limit();
    test::temp_dir certs;
    test::test_pki pki(certs.str());
    const auto plain_port = test::free_port();
    const auto tls_port = test::free_port();
    test::server_process server(
        processes_.str(), data_.str(),
        {"--listen", "http://127.0.0.1:" + std::to_string(plain_port), "--listen",
         "https://127.0.0.1:" + std::to_string(tls_port) + "?cert=" + pki.server_cert() +
             "&key=" + pki.server_key(),
         "--header-timeout-ms", "1500"});
    const auto before_kb = test::memory_kb(server.pid(), "VmRSS");
    asio::io_context io;
    std::vector<tcp::socket> flood;
    for (int i = 0; i < 2'000; ++i) {
        tcp::socket s(io);
        boost::system::error_code ec;
        s.connect({asio::ip::make_address("127.0.0.1"), tls_port}, ec);
        if (ec) break;
        if (i % 2 == 0) {
            // A TLS record header promising a handshake that never comes, or plain garbage.
            const std::string start = i % 4 == 0 ? std::string("\x16\x03\x01\x02\x00\x01", 6)
                                                 : std::string("GET / HTTP/1.1\r\n\r\n");
            asio::write(s, asio::buffer(start), ec);
        }
        flood.push_back(std::move(s));
    }
    ASSERT_GE(flood.size(), 1'900u);
    const test::tls_client client{pki.ca_file(), "", ""};
    int served = 0;
    for (int i = 0; i < 20; ++i) {
        const auto res =
            test::https_request(tls_port, client, "POST", "/ws/simple/executeEcho", "tls");
        served += res.status == 200 && res.body == "tls" ? 1 : 0;
    }
    EXPECT_EQ(served, 20);
    // Every flood connection is closed by the server at its header timeout.
    const auto closed = test::wait_until_closed(flood, std::chrono::seconds(30));
    EXPECT_EQ(closed, flood.size());
    const auto failures = test::metric(plain_port, "ferry_tls_handshake_failures_total");
    EXPECT_FALSE(failures.empty());
    if (!failures.empty()) {
        EXPECT_GE(std::stol(failures), 1'000);
    }
    const auto after_kb = test::memory_kb(server.pid(), "VmHWM");
    std::cout << "[ edge     ] TLS flood of " << flood.size() << " connections: peak RSS "
              << after_kb << " kB (" << before_kb << " kB before)\n";
    // Asio's TLS stream keeps 4 buffers of 17 KB per connection, and OpenSSL its own state:
    // bounded per connection (and the connections by --max-connections).
    expect_memory_below(after_kb - before_kb, static_cast<long>(flood.size()) * 160,
                        "a TLS handshake flood");
}

// A client that asks for a large answer and reads it a byte a second holds its connection only
// until the idle timeout: then it is reset, so that not even the kernel keeps sending to it.
TEST_F(EdgeAbuseTest, ASlowReaderIsCutAtTheIdleTimeout) {
    test::server_process server(processes_.str(), data_.str(), {"--idle-timeout-ms", "2000"});
    test::bystander others(server.port());
    const std::string big(8 << 20, 'x');
    asio::io_context io;
    tcp::socket s(io);
    // A small receive buffer, so that the server's send blocks soon.
    s.open(tcp::v4());
    s.set_option(asio::socket_base::receive_buffer_size(4096));
    s.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    const std::string head = "POST /ws/simple/executeEcho HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                             std::to_string(big.size()) + "\r\n\r\n";
    asio::write(s, asio::buffer(head));
    asio::write(s, asio::buffer(big));
    const auto started = std::chrono::steady_clock::now();
    std::size_t received = 0;
    boost::system::error_code ec;
    // The server's reset is pending on the socket (SO_ERROR) while the bytes that arrived
    // before it are still there to read.
    int pending = 0;
    while (!ec && pending == 0 &&
           std::chrono::steady_clock::now() - started < std::chrono::seconds(30)) {
        std::array<char, 1> byte{};
        received += s.read_some(asio::buffer(byte), ec);
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        socklen_t length = sizeof pending;
        ::getsockopt(s.native_handle(), SOL_SOCKET, SO_ERROR, &pending, &length);
    }
    const auto held = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(ec || pending == ECONNRESET) << "the server still sends after 30 s";
    EXPECT_LT(received, big.size());
    EXPECT_LT(held, std::chrono::seconds(20));
    EXPECT_GT(others.ok.load(), 0);
    EXPECT_EQ(others.failed.load(), 0);
    std::cout << "[ edge     ] a reader of a byte a second was cut after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(held).count() << " ms, "
              << received << " bytes read\n";
}

}  // namespace ferry
