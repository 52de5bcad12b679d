// Partner connections of an executor thread (run/partner_connections.hpp) against a real local
// HTTP(S) server: kept-alive connections are reused, a connection the partner closed while
// idle is replaced without failing the call, the bound on calls per partner holds, and TLS
// resumes the partner's session.
#include "run/partner_connections.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

#include "ferry/engine/run/http_client.hpp"
#include "ferry/engine/run/run_blocking.hpp"
#include "support/eventually.hpp"
#include "support/local_http_server.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::canned_reply;
using test::local_http_server;
using test::seen_request;

http_request post_to(const local_http_server& server, const std::string& body,
                     const std::string& scheme = "http") {
    http_request req;
    req.method = "POST";
    req.url = scheme + "://127.0.0.1:" + std::to_string(server.port()) + "/partner";
    req.body = body;
    req.has_body = true;
    req.timeout = 10s;
    return req;
}

// Calls one after the other go over one kept connection.
TEST(PartnerConnections, AKeptConnectionCarriesTheNextCalls) {
    local_http_server partner([](const seen_request& r) {
        return canned_reply{200, "re " + r.body};
    });
    partner_limits limits;
    partner_pool pool(limits);
    asio::io_context io;
    std::vector<std::string> answers;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 5; ++i) {
                auto res = co_await http_fetch(post_to(partner, std::to_string(i)), &pool);
                answers.push_back(res ? res->body : "failed: " + res.error());
            }
        },
        asio::detached);
    io.run();
    EXPECT_EQ(answers, (std::vector<std::string>{"re 0", "re 1", "re 2", "re 3", "re 4"}));
    EXPECT_EQ(partner.connections(), 1u);
    EXPECT_EQ(pool.counts().opened, 1u);
    EXPECT_EQ(pool.counts().reused, 4u);
    pool.close_idle();
}

// A partner that answers "Connection: close" is not kept; one that closes a kept connection
// without saying so costs the next call nothing but a new connection.
TEST(PartnerConnections, AConnectionThePartnerClosedIsReplaced) {
    int n = 0;
    local_http_server partner([&](const seen_request&) {
        canned_reply reply{200, "ok"};
        reply.drop_after = ++n % 2 == 1;  // every other answer, the partner drops the connection
        return reply;
    });
    partner_limits limits;
    partner_pool pool(limits);
    asio::io_context io;
    int succeeded = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 6; ++i) {
                auto res = co_await http_fetch(post_to(partner, "x"), &pool);
                EXPECT_TRUE(res) << (res ? "" : res.error());
                succeeded += res ? 1 : 0;
                // Let the partner's close arrive before the next call, as an idle close does.
                asio::steady_timer pause(co_await asio::this_coro::executor, 20ms);
                co_await pause.async_wait(asio::use_awaitable);
            }
        },
        asio::detached);
    io.run();
    EXPECT_EQ(succeeded, 6);
    EXPECT_EQ(partner.requests().size(), 6u) << "a replaced connection sends the call once";
    pool.close_idle();
}

// At most max_connections calls to one partner are in flight, however many executions call;
// the rest wait their turn and all succeed. Two pools (two executor threads) share the bound.
TEST(PartnerConnections, TheBoundPerPartnerHoldsOverThreads) {
    local_http_server partner([](const seen_request&) { return canned_reply{200, "ok", {}, 30}; });
    partner_limits limits;
    constexpr int calls_per_thread = 20;
    std::atomic<int> succeeded{0};
    auto thread_body = [&] {
        partner_pool pool(limits);
        asio::io_context io;
        for (int i = 0; i < calls_per_thread; ++i) {
            asio::co_spawn(
                io,
                [&]() -> asio::awaitable<void> {
                    auto req = post_to(partner, "x");
                    req.max_connections = 4;
                    auto res = co_await http_fetch(req, &pool);
                    if (res && res->status == 200) ++succeeded;
                },
                asio::detached);
        }
        io.run();
        pool.close_idle();
    };
    std::thread first(thread_body);
    std::thread second(thread_body);
    first.join();
    second.join();
    EXPECT_EQ(succeeded.load(), 2 * calls_per_thread);
    EXPECT_LE(partner.most_at_once(), 4u);
    EXPECT_LE(partner.connections(), 8u) << "each thread keeps at most its four connections";
    EXPECT_TRUE(limits.in_flight().empty());
}

// HTTPS: a second connection to the partner resumes the first one's TLS session.
TEST(PartnerConnections, TlsResumesThePartnersSession) {
    test::temp_dir dir;
    const auto cert = (dir.path() / "cert.pem").string();
    const auto key = (dir.path() / "key.pem").string();
    ASSERT_TRUE(test::make_test_certificate(cert, key));
    local_http_server partner(
        [](const seen_request&) {
            canned_reply reply{200, "ok"};
            reply.keep_alive = false;  // each call needs a new connection, and a handshake
            return reply;
        },
        cert, key);
    partner_limits limits;
    partner_pool pool(limits);
    asio::io_context io;
    int succeeded = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 3; ++i) {
                auto req = post_to(partner, "x", "https");
                req.ca_file = cert;
                auto res = co_await http_fetch(req, &pool);
                EXPECT_TRUE(res) << (res ? "" : res.error());
                succeeded += res ? 1 : 0;
            }
        },
        asio::detached);
    io.run();
    EXPECT_EQ(succeeded, 3);
    EXPECT_EQ(partner.connections(), 3u);
    EXPECT_EQ(pool.counts().opened, 3u);
    EXPECT_EQ(pool.counts().resumed, 2u);
    pool.close_idle();
}

}  // namespace
}  // namespace ferry::engine
