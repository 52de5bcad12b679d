// The store's side of internal queues: delayed redeliveries, parked messages and dead letters
// wait outside the pending queue, move into it when told, and survive a reopen.
#include <gtest/gtest.h>

#include <cstdio>

#include "ferry/store/error.hpp"
#include "ferry/store/store.hpp"
#include "support/temp_dir.hpp"

namespace ferry::store {
namespace {

// Execution ids start with their creation time (12 hex digits), as the engine makes them.
std::string id_at(std::int64_t ms, int n) {
    char text[32];
    std::snprintf(text, sizeof text, "%012llx%012d", static_cast<unsigned long long>(ms), n);
    return text;
}

new_execution message(const std::string& id, std::int64_t created_ms) {
    new_execution e;
    e.record.id = id;
    e.record.process = "shipOrder";
    e.record.created_ms = created_ms;
    e.record.process_props = {{"queue", "orders"}, {"queue_delivery", "1"}};
    e.record.document_ids = {id + "-0"};
    e.documents = {{"{\"order\":1}", {}}};
    return e;
}

}  // namespace

class QueueStoreTest : public ::testing::Test {
protected:
    std::unique_ptr<store> open() { return store::open(dir_.str()).value(); }
    test::temp_dir dir_;
    std::unique_ptr<store> db_ = open();
};

// A redelivery is stored with its documents but not queued until queue_delayed().
TEST_F(QueueStoreTest, DelayedRedeliveryWaitsOutsideThePendingQueue) {
    std::vector<new_execution> batch = {message(id_at(1000, 1), 1000)};
    batch[0].not_before_ms = 5000;
    ASSERT_TRUE(db_->commit(batch));
    EXPECT_TRUE(db_->read_pending(0, 10)->empty());
    EXPECT_TRUE(db_->read_document(id_at(1000, 1) + "-0").has_value());
    const auto delayed = db_->list_delayed().value();
    ASSERT_EQ(delayed.size(), 1u);
    EXPECT_EQ(delayed[0].execution_id, id_at(1000, 1));
    EXPECT_EQ(delayed[0].due_ms, 5000);

    const std::vector<std::string> ids = {id_at(1000, 1)};
    const auto seq = db_->queue_delayed(ids).value();
    EXPECT_GT(seq, 0u);
    const auto pending = db_->read_pending(0, 10).value();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].execution_id, id_at(1000, 1));
    // The record knows its pending seq, so its finish removes the right entry.
    EXPECT_EQ(db_->read_execution(id_at(1000, 1))->pending_seq, pending[0].seq);
    EXPECT_TRUE(db_->list_delayed()->empty());
    // Queuing it twice (a timer that fired again after a restart) does nothing.
    EXPECT_EQ(db_->queue_delayed(ids).value(), 0u);
    EXPECT_EQ(db_->read_pending(0, 10)->size(), 1u);
}

// Redeliveries and parked messages are durable: a reopened store still lists them.
// Cluster mode: an ingress node's execution waits in its outbox (not the pending queue) with
// the key of the idempotency claim it makes, across a reopen, until dropped.
TEST_F(QueueStoreTest, TheOutboxKeepsItsExecutionsAndTheirClaims) {
    std::vector<new_execution> batch = {message(id_at(1000, 1), 1000),
                                        message(id_at(1000, 2), 1000)};
    for (auto& e : batch) e.outbox = true;
    batch[1].outbox_claim = "idem/createOrder/k-1";
    batch[1].answers = {{"idem/createOrder/k-1", std::string(8, '\0') + "claim"}};
    ASSERT_TRUE(db_->commit(batch));
    EXPECT_TRUE(db_->read_pending(0, 10)->empty());
    db_.reset();
    db_ = open();
    const auto outbox = db_->list_outbox().value();
    ASSERT_EQ(outbox.size(), 2u);
    EXPECT_EQ(outbox[0].execution_id, id_at(1000, 1));
    EXPECT_EQ(outbox[0].stored_ms, 1000);
    EXPECT_EQ(outbox[0].claim, "");
    EXPECT_EQ(outbox[1].claim, "idem/createOrder/k-1");
    EXPECT_EQ(db_->read_answer("idem/createOrder/k-1").value(), std::string(8, '\0') + "claim");
    const std::vector<std::string> drop = {id_at(1000, 1)};
    ASSERT_TRUE(db_->drop_from_outbox(drop));
    EXPECT_EQ(db_->list_outbox()->size(), 1u);
}

TEST_F(QueueStoreTest, WaitingMessagesSurviveReopen) {
    {
        std::vector<new_execution> batch = {message(id_at(1000, 1), 1000),
                                            message(id_at(1000, 2), 1000)};
        batch[0].not_before_ms = 9000;
        batch[1].parked_on = "orders";
        batch[1].record.process.clear();
        ASSERT_TRUE(db_->commit(batch));
        db_.reset();
    }
    db_ = open();
    EXPECT_EQ(db_->list_delayed()->size(), 1u);
    const auto parked = db_->list_parked().value();
    ASSERT_EQ(parked.size(), 1u);
    EXPECT_EQ(parked[0].queue, "orders");
    EXPECT_TRUE(db_->read_pending(0, 10)->empty());
}

// Releasing a parked message assigns it to a listener and queues it with its copies (a
// published message reaches every listener) in one write.
TEST_F(QueueStoreTest, ReleasedParkedMessageIsQueuedWithItsCopies) {
    std::vector<new_execution> batch = {message(id_at(1000, 1), 1000)};
    batch[0].parked_on = "orders";
    batch[0].record.process.clear();
    ASSERT_TRUE(db_->commit(batch));
    auto rec = db_->read_execution(id_at(1000, 1)).value();
    rec.process = "shipOrder";
    std::vector<execution_record> assigned = {rec};
    std::vector<new_execution> copies = {message(id_at(2000, 1), 2000)};
    copies[0].record.process = "auditOrder";
    const auto seq = db_->release_parked(assigned, copies).value();
    EXPECT_EQ(seq, 2u);
    EXPECT_TRUE(db_->list_parked()->empty());
    const auto pending = db_->read_pending(0, 10).value();
    ASSERT_EQ(pending.size(), 2u);
    EXPECT_EQ(pending[0].execution_id, id_at(1000, 1));
    EXPECT_EQ(pending[1].execution_id, id_at(2000, 1));
    EXPECT_EQ(db_->read_execution(id_at(1000, 1))->process, "shipOrder");
    EXPECT_EQ(db_->last_seq(), 2u);
}

// A dead letter is written with the failed delivery's final record, listed oldest first by
// queue, paged by cursor, and removed when resent or cleared.
TEST_F(QueueStoreTest, DeadLettersAreListedPagedAndRemoved) {
    std::vector<new_execution> batch;
    for (int i = 0; i < 3; ++i) batch.push_back(message(id_at(1000, i), 1000));
    ASSERT_TRUE(db_->commit(batch));
    std::vector<execution_record> failed;
    std::vector<dead_letter> dead;
    for (int i = 0; i < 3; ++i) {
        auto r = batch[static_cast<std::size_t>(i)].record;
        r.state = execution_state::failed;
        r.error = "no stock";
        failed.push_back(r);
        dead.push_back({r.id, i == 1 ? "returns" : "orders", 7000 + i});
    }
    ASSERT_TRUE(db_->finish_executions(failed, {}, {}, dead));
    EXPECT_TRUE(db_->read_pending(0, 10)->empty());

    const auto orders = db_->list_dead_letters("orders", "", 10).value();
    ASSERT_EQ(orders.size(), 2u);
    EXPECT_EQ(orders[0].execution_id, id_at(1000, 0));
    EXPECT_EQ(orders[1].execution_id, id_at(1000, 2));
    EXPECT_EQ(orders[1].dead_ms, 7002);
    const auto first = db_->list_dead_letters("", "", 1).value();
    ASSERT_EQ(first.size(), 1u);
    const auto rest = db_->list_dead_letters("", first[0].execution_id, 10).value();
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest[0].execution_id, id_at(1000, 1));
    EXPECT_EQ(db_->read_dead_letter(id_at(1000, 1))->queue, "returns");

    const std::vector<std::string> gone = {id_at(1000, 0), "unknown"};
    ASSERT_TRUE(db_->remove_dead_letters(gone));
    EXPECT_EQ(db_->read_dead_letter(id_at(1000, 0)).error(), errc::not_found);
    EXPECT_EQ(db_->list_dead_letters("", "", 10)->size(), 2u);
    // The failed delivery itself stays in the history.
    EXPECT_EQ(db_->read_execution(id_at(1000, 0))->state, execution_state::failed);
}

// Retention never deletes a message still waiting (delayed or parked), and takes dead letters
// with their executions.
TEST_F(QueueStoreTest, RetentionKeepsWaitingMessagesAndTakesOldDeadLetters) {
    std::vector<new_execution> batch = {message(id_at(1000, 0), 1000),
                                        message(id_at(3000, 0), 3000),
                                        message(id_at(5000, 0), 5000)};
    batch[1].parked_on = "orders";
    ASSERT_TRUE(db_->commit(batch));
    auto r = batch[0].record;
    r.state = execution_state::failed;
    std::vector<execution_record> failed = {r};
    std::vector<dead_letter> dead = {{r.id, "orders", 1500}};
    ASSERT_TRUE(db_->finish_executions(failed, {}, {}, dead));
    auto done = batch[2].record;
    done.state = execution_state::succeeded;
    std::vector<execution_record> finished = {done};
    ASSERT_TRUE(db_->finish_executions(finished));

    const auto kept_from = db_->delete_history_before(9000).value();
    EXPECT_EQ(kept_from, id_at(3000, 0));  // the parked message stops the range
    EXPECT_FALSE(db_->read_execution(id_at(1000, 0)).has_value());
    EXPECT_EQ(db_->read_dead_letter(id_at(1000, 0)).error(), errc::not_found);
    EXPECT_TRUE(db_->read_execution(id_at(3000, 0)).has_value());
    EXPECT_TRUE(db_->read_document(id_at(3000, 0) + "-0").has_value());
    EXPECT_TRUE(db_->read_execution(id_at(5000, 0)).has_value());
}

}  // namespace ferry::store
