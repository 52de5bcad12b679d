#include "ferry/transport/request_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "ferry/transport/batch_server.hpp"
#include "ferry/transport/error.hpp"
#include "support/run_coro.hpp"

namespace ferry::transport {
namespace asio = boost::asio;

// Named coroutines rather than capturing lambdas: the frame owns its parameters.
asio::awaitable<void> expect_echo(request_client& client, int i, int& matched) {
    frames request{std::to_string(i)};  // not inline: GCC 12 miscompiles {..} in co_await
    auto reply = co_await client.request(std::move(request));
    if (reply && reply->size() == 1 && (*reply)[0] == "echo:" + std::to_string(i)) ++matched;
}

asio::awaitable<void> record_outcome(request_client& client, boost::system::error_code& seen,
                                     bool& done) {
    frames request{"never answered"};
    auto reply = co_await client.request(std::move(request));
    seen = reply ? boost::system::error_code{} : reply.error();
    done = true;
}

class RequestClientTest : public ::testing::Test {
protected:
    context ctx_;
    std::string endpoint_ = "inproc://request-client-test";
    batch_server server_{ctx_, endpoint_};
    asio::io_context io_;
};

// The server answers a whole batch in reverse order; every reply still reaches its own caller.
TEST_F(RequestClientTest, RepliesAreMatchedByCorrelationNotOrder) {
    constexpr int count = 500;
    std::thread serve([&] {
        std::vector<envelope> all;
        while (all.size() < count) {
            auto batch = server_.receive_batch(count, std::chrono::milliseconds(100));
            ASSERT_TRUE(batch);
            for (auto& e : *batch) all.push_back(std::move(e));
        }
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            ASSERT_TRUE(server_.reply(*it, {"echo:" + it->body.at(0)}));
        }
    });
    request_client client(ctx_, io_.get_executor(), endpoint_);
    int matched = 0;
    for (int i = 0; i < count; ++i) {
        asio::co_spawn(io_, expect_echo(client, i, matched), asio::detached);
    }
    while (matched < count && io_.run_one_for(std::chrono::seconds(10)) > 0) {
    }
    serve.join();
    EXPECT_EQ(matched, count);
}

// The batch server hands over everything queued at once (what group commit relies on).
TEST_F(RequestClientTest, BatchTakesEverythingQueued) {
    request_client client(ctx_, io_.get_executor(), endpoint_);
    for (int i = 0; i < 20; ++i) {
        frames request{"x"};
        asio::co_spawn(io_, client.request(std::move(request)), asio::detached);
    }
    io_.run_for(std::chrono::milliseconds(200));
    auto batch = server_.receive_batch(1000, std::chrono::milliseconds(1000));
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->size(), 20u);
}

// close() fails requests still waiting for a reply instead of leaving them hanging.
TEST_F(RequestClientTest, CloseFailsWaitingRequests) {
    request_client client(ctx_, io_.get_executor(), endpoint_);
    boost::system::error_code seen;
    bool done = false;
    asio::co_spawn(io_, record_outcome(client, seen, done), asio::detached);
    io_.run_for(std::chrono::milliseconds(50));
    client.close();
    while (!done && io_.run_one_for(std::chrono::seconds(5)) > 0) {
    }
    EXPECT_TRUE(done);
    EXPECT_EQ(seen, errc::shutting_down);
}

}  // namespace ferry::transport
