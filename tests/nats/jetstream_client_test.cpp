// The NATS JetStream client against a real three-server cluster on loopback.
#include <gtest/gtest.h>

#include <set>

#include "ferry/nats/connection.hpp"
#include "ferry/nats/error.hpp"
#include "ferry/nats/pull_consumer.hpp"
#include "support/eventually.hpp"
#include "support/nats_cluster.hpp"

namespace ferry::nats {
namespace {

using namespace std::chrono_literals;

class JetStreamClient : public ::testing::Test {
protected:
    std::unique_ptr<connection> connect() {
        connection_settings s;
        s.urls = cluster_.urls();
        s.name = "ferry test";
        auto c = connection::open(s);
        if (!c) throw std::runtime_error("cannot connect: " + c.error().message());
        return std::move(*c);
    }
    /// A replicated work stream on every server; created once the cluster has elected its
    /// meta leader.
    stream_state work_stream(connection& c, const std::string& name) {
        stream_settings s;
        s.name = name;
        s.subjects = {name + ".>"};
        s.replicas = 3;
        auto state = c.ensure_stream(s, 30s);
        if (!state)
            throw std::runtime_error("cannot create the stream: " + state.error().message());
        return *state;
    }

    test::nats_cluster cluster_;
};

// A publish is acknowledged once the stream holds it on a majority; publishing the same message
// id again is acknowledged as a duplicate and stores nothing (how an outbox resends safely).
TEST_F(JetStreamClient, RepeatedMessageIdsAreAcknowledgedAsDuplicates) {
    auto c = connect();
    const auto created = work_stream(*c, "intake");
    EXPECT_EQ(created.replicas, 3);
    for (int i = 0; i < 50; ++i) {
        const auto ack = c->publish("intake.p", "doc " + std::to_string(i), "r" + std::to_string(i),
                                    {{"Ferry-Process", "p"}});
        ASSERT_TRUE(ack) << ack.error().message();
        EXPECT_EQ(ack->seq, static_cast<std::uint64_t>(i + 1));
        EXPECT_FALSE(ack->duplicate);
    }
    for (int i = 0; i < 50; ++i) {
        const auto again =
            c->publish("intake.p", "doc " + std::to_string(i), "r" + std::to_string(i));
        ASSERT_TRUE(again) << again.error().message();
        EXPECT_TRUE(again->duplicate) << i;
        EXPECT_EQ(again->seq, static_cast<std::uint64_t>(i + 1));
    }
    const auto state = c->stream("intake");
    ASSERT_TRUE(state);
    EXPECT_EQ(state->messages, 50u);
    EXPECT_FALSE(state->leader.empty());
    // Ensuring it again finds it as it is.
    EXPECT_EQ(work_stream(*c, "intake").messages, 50u);
    EXPECT_EQ(c->stream("nope").error(), make_error(0, jetstream_code::stream_not_found));
}

// A pull consumer leases what it fetched: an acknowledged message is not delivered again, a
// nak'ed one comes back after its delay with its delivery counted, and a terminated one never.
TEST_F(JetStreamClient, FetchedMessagesAreLeasedUntilAcknowledged) {
    auto c = connect();
    work_stream(*c, "runs");
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(c->publish("runs.p", "run " + std::to_string(i), "e" + std::to_string(i)));
    }
    consumer_settings cs;
    cs.stream = "runs";
    cs.durable = "workers";
    cs.subject = "runs.>";
    cs.ack_wait = 30s;
    auto consumer = c->pull(cs);
    ASSERT_TRUE(consumer) << consumer.error().message();
    auto first = (*consumer)->fetch(10, 5s);
    ASSERT_TRUE(first) << first.error().message();
    ASSERT_EQ(first->size(), 5u);
    for (std::size_t i = 0; i < first->size(); ++i) {
        auto& m = (*first)[i];
        EXPECT_EQ(m.data(), "run " + std::to_string(i));
        EXPECT_EQ(m.subject(), "runs.p");
        EXPECT_EQ(m.deliveries(), 1u);
        EXPECT_EQ(m.stream_seq(), i + 1);
    }
    ASSERT_TRUE((*first)[0].ack());
    ASSERT_TRUE((*first)[1].ack());
    ASSERT_TRUE((*first)[2].in_progress());
    ASSERT_TRUE((*first)[2].ack());
    ASSERT_TRUE((*first)[3].term());
    const auto naked_at = std::chrono::steady_clock::now();
    ASSERT_TRUE((*first)[4].nak(300ms));
    std::vector<message> again;
    ASSERT_TRUE(test::eventually(
        [&] {
            auto more = (*consumer)->fetch(10, 200ms);
            if (!more) return false;
            for (auto& m : *more) again.push_back(std::move(m));
            return !again.empty();
        },
        10s));
    EXPECT_GE(std::chrono::steady_clock::now() - naked_at, 300ms);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].data(), "run 4");
    EXPECT_EQ(again[0].deliveries(), 2u);
    ASSERT_TRUE(again[0].ack());
    const auto rest = (*consumer)->fetch(10, 500ms);
    ASSERT_TRUE(rest);
    EXPECT_TRUE(rest->empty());
}

// Messages the stream acknowledged survive a kill -9 of the server leading it: the others elect
// a new leader and a consumer gets every one of them.
TEST_F(JetStreamClient, AcknowledgedMessagesSurviveTheStreamLeaderKilled) {
    auto c = connect();
    work_stream(*c, "safe");
    constexpr int count = 200;
    for (int i = 0; i < count; ++i) {
        ASSERT_TRUE(c->publish("safe.p", std::to_string(i), "m" + std::to_string(i)));
    }
    const auto before = c->stream("safe");
    ASSERT_TRUE(before);
    ASSERT_FALSE(before->leader.empty());
    cluster_.kill9(cluster_.index_of(before->leader));
    consumer_settings cs;
    cs.stream = "safe";
    cs.durable = "after";
    cs.subject = "safe.>";
    std::unique_ptr<pull_consumer> consumer;
    // Creating the consumer can time out while the stream elects its new leader.
    ASSERT_TRUE(test::eventually(
        [&] {
            auto made = c->pull(cs);
            if (made) consumer = std::move(*made);
            return made.has_value();
        },
        30s, 200ms));
    std::set<std::string> seen;
    ASSERT_TRUE(test::eventually(
        [&] {
            auto got = consumer->fetch(100, 1s);
            if (!got) return false;
            for (auto& m : *got) {
                seen.emplace(m.data());
                (void)m.ack();
            }
            return seen.size() == count;
        },
        30s, 10ms));
    // The stream's info may be asked of a cluster still electing (its meta leader may have been
    // the killed server too): asked until it answers.
    stream_state after;
    ASSERT_TRUE(test::eventually(
        [&] {
            auto state = c->stream("safe");
            if (state) after = *state;
            return state.has_value();
        },
        30s, 200ms));
    EXPECT_NE(after.leader, before->leader);
    EXPECT_EQ(after.messages, static_cast<std::uint64_t>(count));
}

}  // namespace
}  // namespace ferry::nats
