// The worker's feed keeps what it could not send (issue 24: a batch of results that met a full
// queue was once sent later as an empty message, and one execution stayed running for good).
#include "ferry/transport/blocking_client.hpp"

#include <gtest/gtest.h>

#include "ferry/transport/batch_server.hpp"

namespace ferry::transport {

// Nothing listens on the endpoint, so ZeroMQ queues messages for it up to the high-water
// mark; the message that finds the queue full is refused and left exactly as it was.
TEST(BlockingClient, AMessageThatCannotBeQueuedIsLeftIntact) {
    context ctx;
    blocking_client client(ctx, "tcp://127.0.0.1:1");
    const frames original{"header", std::string(100, 'r'), ""};
    frames message = original;
    int queued = 0;
    while (queued < 1000000 && client.try_send(message)) {
        ASSERT_EQ(message, original) << "after " << queued << " sent";
        ++queued;
    }
    ASSERT_LT(queued, 1000000) << "the queue never filled";
    EXPECT_GT(queued, 0);
    EXPECT_EQ(message, original) << "refused after " << queued << " queued";
    EXPECT_FALSE(client.try_send(message));
    EXPECT_EQ(message, original);
}

// Once a server reads, what was queued arrives in order, the refused message last.
TEST(BlockingClient, WhatWasQueuedArrivesOnceAServerReads) {
    context ctx;
    const std::string endpoint = "inproc://blocking-client-test";
    batch_server server(ctx, endpoint);
    blocking_client client(ctx, endpoint);
    frames first{"one"};
    frames second{"two", "parts"};
    ASSERT_TRUE(client.try_send(first));
    ASSERT_TRUE(client.try_send(second));
    std::vector<envelope> got;
    for (int i = 0; i < 100 && got.size() < 2; ++i) {
        auto batch = server.receive_batch(10, std::chrono::milliseconds(50));
        ASSERT_TRUE(batch);
        for (auto& e : *batch) got.push_back(std::move(e));
    }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].body, first);
    EXPECT_EQ(got[1].body, second);
}

}  // namespace ferry::transport
