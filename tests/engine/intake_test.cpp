#include "ferry/engine/intake.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "ferry/engine/submission.hpp"
#include "ferry/transport/request_client.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine {
namespace asio = boost::asio;

class IntakeTest : public ::testing::Test {
protected:
    test::temp_dir dir_;
    transport::context ctx_;
    std::unique_ptr<store::store> db_ = store::store::open(dir_.str()).value();
    std::atomic<std::uint64_t> notified_{0};
    std::atomic<std::uint64_t> handed_over_{0};   // executions passed on with their documents
    std::atomic<bool> handed_in_order_{true};     // each batch is exactly the next seqs
    intake_service intake_{ctx_, *db_, {"inproc://intake-test"},
                           [this](std::uint64_t seq, std::vector<store::new_execution> fresh) {
                               std::uint64_t expected = notified_.load() + 1;
                               for (const auto& e : fresh) {
                                   if (e.record.pending_seq != expected++ ||
                                       e.documents.size() != e.record.document_ids.size())
                                       handed_in_order_ = false;
                               }
                               if (expected != seq + 1) handed_in_order_ = false;
                               handed_over_ += fresh.size();
                               notified_ = seq;
                           }};
};

// Many concurrent submitters share fsyncs (group commit) and every receipt is durable.
TEST_F(IntakeTest, ConcurrentSubmissionsShareFsyncs) {
    intake_.start();
    asio::io_context io;
    transport::request_client client(ctx_, io.get_executor(), "inproc://intake-test");
    constexpr int count = 2000;
    std::vector<intake_reply> replies;
    for (int i = 0; i < count; ++i) {
        submission s;
        s.process = "p";
        s.process_version = 1;
        s.process_props = {{"inmethod", "POST"}};
        s.documents = {{"doc" + std::to_string(i), {}}};
        asio::co_spawn(
            io,
            [&client, &replies, s = std::move(s)]() -> asio::awaitable<void> {
                auto reply = co_await client.request(encode_submission(s));
                EXPECT_TRUE(reply);
                if (!reply) co_return;
                auto decoded = decode_reply(*reply);
                EXPECT_TRUE(decoded);
                if (decoded) replies.push_back(std::move(*decoded));
            },
            asio::detached);
    }
    while (replies.size() < count && io.run_one_for(std::chrono::seconds(20)) > 0) {
    }
    intake_.stop();
    ASSERT_EQ(replies.size(), static_cast<std::size_t>(count));

    const auto stats = intake_.stats();
    EXPECT_EQ(stats.requests, static_cast<std::uint64_t>(count));
    EXPECT_LT(stats.batches, static_cast<std::uint64_t>(count));  // fewer fsyncs than requests
    EXPECT_GT(stats.largest_batch, 1u);
    EXPECT_EQ(notified_.load(), static_cast<std::uint64_t>(count));
    EXPECT_EQ(handed_over_.load(), static_cast<std::uint64_t>(count));
    EXPECT_TRUE(handed_in_order_.load());
    std::set<std::string> ids;
    for (const auto& r : replies) {
        ASSERT_EQ(r.status, intake_status::ok);
        ASSERT_EQ(r.accepted.document_count, 1u);
        ids.insert(r.accepted.execution_id);
        const auto rec = db_->read_execution(r.accepted.execution_id);
        ASSERT_TRUE(rec);
        EXPECT_EQ(rec->process_props.at("inmethod"), "POST");
        EXPECT_TRUE(db_->read_document(r.accepted.document_ids()[0]));
    }
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(count));  // ids are unique
}

// A submission that does not decode is refused and nothing is stored.
TEST_F(IntakeTest, MalformedSubmissionIsRefused) {
    intake_.start();
    asio::io_context io;
    transport::request_client client(ctx_, io.get_executor(), "inproc://intake-test");
    std::optional<intake_reply> reply;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            transport::frames garbage{"\x07garbage"};  // not inline: GCC 12 and {..} in co_await
            auto raw = co_await client.request(std::move(garbage));
            if (raw) reply = decode_reply(*raw).value();
        },
        asio::detached);
    while (!reply && io.run_one_for(std::chrono::seconds(5)) > 0) {
    }
    intake_.stop();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, intake_status::bad_request);
    EXPECT_EQ(db_->last_seq(), 0u);
}

}  // namespace ferry::engine
