// Limits against hostile or careless clients (issue 6, "Limits and hostile clients"): a cap
// on open connections, a request rate per listener, and slow senders that cannot starve
// anyone else.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <thread>

#include "ingress/server_fixture.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"

namespace ferry::ingress {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Opens `count` connections and leaves them idle (or, with `trickle`, sends one header byte).
std::vector<tcp::socket> open_connections(asio::io_context& io, std::uint16_t port, int count,
                                          bool trickle) {
    std::vector<tcp::socket> sockets;
    for (int i = 0; i < count; ++i) {
        tcp::socket s(io);
        s.connect({asio::ip::make_address("127.0.0.1"), port});
        if (trickle) asio::write(s, asio::buffer(std::string_view("P")));
        sockets.push_back(std::move(s));
    }
    return sockets;
}

}  // namespace

class ConnectionLimitTest : public ServerFixture {
protected:
    void SetUp() override {
        server_settings s;
        s.listeners.front().max_connections = 8;
        s.header_timeout = std::chrono::milliseconds(500);
        start(s);
    }
};

// Connections past the maximum get a 503 and are closed; once some close, new ones are served.
TEST_F(ConnectionLimitTest, ConnectionsPastTheMaximumAre503) {
    asio::io_context io;
    {
        auto held = open_connections(io, port(), 8, false);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // all accepted
        const auto refused = test::http_request(port(), "GET", "/_admin/status");
        EXPECT_EQ(refused.status, 503);
        EXPECT_EQ(boost::json::parse(refused.body).at("error").as_string(), "too_many_connections");
        EXPECT_EQ(refused.header("Retry-After"), "1");
    }
    // The held connections are closed now; the server notices and frees their places.
    int status = 0;
    test::eventually(
        [&] {
            return (status = test::http_request(port(), "GET", "/_admin/status").status) == 200;
        },
        std::chrono::seconds(5), std::chrono::milliseconds(20));
    EXPECT_EQ(status, 200);
}

// Slowloris: senders that start a header and stall hold their places only until the header
// timeout; meanwhile, and after, other clients are served.
TEST_F(ConnectionLimitTest, StalledHeadersAreCutOffAtTheHeaderTimeout) {
    asio::io_context io;
    auto stalled = open_connections(io, port(), 6, true);
    const auto served = test::http_request(port(), "GET", "/_admin/status");
    EXPECT_EQ(served.status, 200);
    // Each stalled connection is answered 408 after the 500 ms header timeout.
    for (auto& s : stalled) {
        std::array<char, 512> buf{};
        boost::system::error_code ec;
        const auto n = s.read_some(asio::buffer(buf), ec);  // blocks until the answer
        EXPECT_TRUE(std::string_view(buf.data(), n).starts_with("HTTP/1.1 408"))
            << std::string_view(buf.data(), n);
    }
    stalled.clear();  // the clients hang up, as clients do after an error
    // Then every place is free again: 7 idle connections and one request fit under 8.
    int status = 0;
    test::eventually(
        [&] {
            auto more = open_connections(io, port(), 7, false);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the 7 are accepted
            status = test::http_request(port(), "GET", "/_admin/status").status;
            return status == 200;
        },
        std::chrono::seconds(5), std::chrono::milliseconds(1));
    EXPECT_EQ(status, 200);
}

class RateLimitTest : public ServerFixture {
protected:
    void SetUp() override {
        server_settings s;
        s.listeners.front().rate_limit = 5;
        s.listeners.front().rate_burst = 5;
        start(s);
    }
};

// Past the rate, /ws/ requests get 503 rate_limited with a Retry-After; the status endpoint
// is not limited; the budget refills with time.
TEST_F(RateLimitTest, RequestsPastTheRateAre503WithRetryAfter) {
    int accepted = 0;
    int limited = 0;
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) {
        const auto res = test::http_request(port(), "POST", "/ws/simple/executeEcho", "x");
        if (res.status == 200) ++accepted;
        if (res.status == 503) {
            ++limited;
            EXPECT_EQ(boost::json::parse(res.body).at("error").as_string(), "rate_limited");
            EXPECT_EQ(res.header("Retry-After"), "1");
        }
    }
    // The burst, plus what refilled at 5/s while the loop ran.
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    EXPECT_GE(accepted, 5);
    EXPECT_LE(accepted, 5 + static_cast<int>(took.count() * 5) + 1);
    EXPECT_GT(limited, 0);
    EXPECT_EQ(accepted + limited, 20);
    EXPECT_EQ(test::http_request(port(), "GET", "/_admin/status").status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // two tokens refill at 5/s
    EXPECT_EQ(test::http_request(port(), "POST", "/ws/simple/executeEcho", "x").status, 200);
}

}  // namespace ferry::ingress
