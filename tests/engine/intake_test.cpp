#include "ferry/engine/intake/intake.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "ferry/engine/intake/idempotency.hpp"
#include "ferry/engine/intake/submission.hpp"
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
    std::atomic<std::uint64_t> handed_over_{0};  // executions passed on with their documents
    std::atomic<bool> handed_in_order_{true};    // each batch is exactly the next seqs
    intake_service intake_{ctx_,
                           *db_,
                           {"inproc://intake-test"},
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
    EXPECT_EQ(db_->stats().synced_writes, stats.batches);  // exactly one fsync per batch
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

namespace {

submission keyed(std::string key, std::string fingerprint, std::string body) {
    submission s;
    s.process = "p";
    s.process_version = 1;
    s.documents = {{std::move(body), {}}};
    s.idempotency_key = idempotency_store_key("createOrder", key);
    s.fingerprint = std::move(fingerprint);
    return s;
}

// Sends every submission at once (so that they can share a batch) and returns the replies in
// the order they were sent.
std::vector<intake_reply> submit_all(transport::context& ctx, const std::string& endpoint,
                                     std::vector<submission> all) {
    asio::io_context io;
    transport::request_client client(ctx, io.get_executor(), endpoint);
    std::vector<std::optional<intake_reply>> replies(all.size());
    std::size_t done = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        asio::co_spawn(
            io,
            [&, i, frames = encode_submission(all[i])]() mutable -> asio::awaitable<void> {
                auto raw = co_await client.request(std::move(frames));
                if (raw) {
                    if (auto decoded = decode_reply(*raw)) replies[i] = std::move(*decoded);
                }
                ++done;
            },
            asio::detached);
    }
    while (done < all.size() && io.run_one_for(std::chrono::seconds(10)) > 0) {
    }
    std::vector<intake_reply> out;
    for (auto& r : replies) {
        EXPECT_TRUE(r);
        out.push_back(r.value_or(intake_reply{}));
    }
    return out;
}

}  // namespace

// Repeats of a key, in the same batch and in later ones, get the first post's receipt; only
// one execution is stored and handed to the executors.
TEST_F(IntakeTest, RepeatedIdempotencyKeyReturnsTheFirstReceipt) {
    intake_.start();
    std::vector<submission> burst;
    for (int i = 0; i < 50; ++i) burst.push_back(keyed("order-1", "f1", "{}"));
    const auto first = submit_all(ctx_, "inproc://intake-test", std::move(burst));
    std::vector<submission> later;
    later.push_back(keyed("order-1", "f1", "{}"));
    const auto again = submit_all(ctx_, "inproc://intake-test", std::move(later));
    intake_.stop();

    ASSERT_EQ(first.front().status, intake_status::ok);
    const auto id = first.front().accepted.execution_id;
    int repeats = 0;
    for (const auto& r : first) {
        ASSERT_EQ(r.status, intake_status::ok);
        EXPECT_EQ(r.accepted.execution_id, id);
        EXPECT_EQ(r.accepted.document_count, 1u);
        repeats += r.repeat ? 1 : 0;
    }
    EXPECT_EQ(repeats, 49);
    ASSERT_EQ(again.front().status, intake_status::ok);
    EXPECT_TRUE(again.front().repeat);
    EXPECT_EQ(again.front().accepted.execution_id, id);
    EXPECT_EQ(db_->last_seq(), 1u);
    EXPECT_EQ(handed_over_.load(), 1u);

    const auto kept = db_->read_answer(idempotency_store_key("createOrder", "order-1"));
    ASSERT_TRUE(kept);
    const auto record = decode_idempotency_record(*kept);
    ASSERT_TRUE(record);
    EXPECT_EQ(record->original.execution_id, id);
    EXPECT_EQ(record->fingerprint, "f1");
}

// The same key with a different request is refused and stores nothing; the same key on
// another operation is another key.
TEST_F(IntakeTest, IdempotencyKeyReusedByADifferentRequestIsAConflict) {
    intake_.start();
    std::vector<submission> first;
    first.push_back(keyed("k", "f1", "{}"));
    const auto original = submit_all(ctx_, "inproc://intake-test", std::move(first));
    std::vector<submission> others;
    others.push_back(keyed("k", "f2", "{\"other\":1}"));
    auto elsewhere = keyed("k", "f2", "{}");
    elsewhere.idempotency_key = idempotency_store_key("updateOrder", "k");
    others.push_back(std::move(elsewhere));
    const auto replies = submit_all(ctx_, "inproc://intake-test", std::move(others));
    intake_.stop();

    ASSERT_EQ(original.front().status, intake_status::ok);
    EXPECT_EQ(replies[0].status, intake_status::conflict);
    ASSERT_EQ(replies[1].status, intake_status::ok);
    EXPECT_FALSE(replies[1].repeat);
    EXPECT_NE(replies[1].accepted.execution_id, original.front().accepted.execution_id);
    EXPECT_EQ(db_->last_seq(), 2u);
}

// A key whose retention window has passed is free again: the post runs as a new execution.
TEST(IntakeRetention, ExpiredIdempotencyKeyStartsANewExecution) {
    test::temp_dir dir;
    transport::context ctx;
    auto db = store::store::open(dir.str()).value();
    intake_settings settings;
    settings.endpoint = "inproc://intake-retention";
    settings.idempotency_ttl_ms = 1;
    intake_service intake(ctx, *db, settings, [](std::uint64_t, auto) {});
    intake.start();
    std::vector<submission> one;
    one.push_back(keyed("k", "f1", "{}"));
    const auto first = submit_all(ctx, settings.endpoint, one);
    // Not awaiting a condition: the key's 1 ms idempotency window must pass.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto second = submit_all(ctx, settings.endpoint, std::move(one));
    intake.stop();
    ASSERT_EQ(first.front().status, intake_status::ok);
    ASSERT_EQ(second.front().status, intake_status::ok);
    EXPECT_FALSE(second.front().repeat);
    EXPECT_NE(first.front().accepted.execution_id, second.front().accepted.execution_id);
}

// A repeated upload's closing part drops the documents it staged; the first upload stays.
TEST_F(IntakeTest, RepeatedUploadDropsItsStagedParts) {
    intake_.start();
    const auto upload = [&](const std::string& body) {
        submission staged;
        staged.process = "p";
        staged.process_version = 1;
        staged.arrives = store::new_execution::part::staged;
        staged.documents = {{body, {}}, {body, {}}};
        std::vector<submission> one;
        one.push_back(std::move(staged));
        const auto opened = submit_all(ctx_, "inproc://intake-test", std::move(one));
        auto closing = keyed("bulk-1", "f1", body);
        closing.arrives = store::new_execution::part::closing;
        closing.upload_id = opened.front().accepted.execution_id;
        closing.first_document = 2;
        std::vector<submission> last;
        last.push_back(std::move(closing));
        return std::pair(opened.front().accepted.execution_id,
                         submit_all(ctx_, "inproc://intake-test", std::move(last)).front());
    };
    const auto [first_id, first] = upload("a");
    const auto [second_id, second] = upload("b");
    intake_.stop();

    ASSERT_EQ(first.status, intake_status::ok);
    ASSERT_EQ(second.status, intake_status::ok);
    EXPECT_TRUE(second.repeat);
    EXPECT_EQ(second.accepted.execution_id, first_id);
    EXPECT_EQ(second.accepted.document_count, 3u);
    EXPECT_TRUE(db_->read_document(document_id(first_id, 0)));
    EXPECT_FALSE(db_->read_document(document_id(second_id, 0)));
    EXPECT_FALSE(db_->read_document(document_id(second_id, 2)));
}

}  // namespace ferry::engine
