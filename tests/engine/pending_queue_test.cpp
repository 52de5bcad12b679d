// The embedded execution backend (RocksDB's pending queue) against the backend conformance
// suite, then what only it does.
#include "execute/pending_queue.hpp"

#include <gtest/gtest.h>

#include "engine/execution_backend_conformance.hpp"
#include "ferry/store/error.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine {
namespace {

/// A store in a temporary directory and its pending queue. Queued executions are handed over
/// with their documents (as the intake does) or, every other batch, left to be read from the
/// store.
class pending_queue_harness {
public:
    pending_queue_harness() { open(); }
    ~pending_queue_harness() { close(); }

    execution_backend& backend() { return *queue_; }
    pending_queue& queue() { return *queue_; }

    std::vector<std::string> enqueue(int count) {
        std::vector<store::new_execution> batch;
        std::vector<std::string> ids;
        for (int i = 0; i < count; ++i) {
            store::new_execution e;
            e.record.id = "x" + std::to_string(next_++);
            e.record.process = "p";
            e.record.document_ids = {e.record.id + "-0"};
            e.documents = {{"doc of " + e.record.id, {}}};
            ids.push_back(e.record.id);
            batch.push_back(std::move(e));
        }
        const auto last = db_->commit(batch);
        EXPECT_TRUE(last);
        if (handed_over_++ % 2 == 0) {
            queue_->notify(*last, std::move(batch));
        } else {
            queue_->notify(*last);
        }
        return ids;
    }

    /// Queues (read from the store when claimed) an execution whose second document was never
    /// written.
    std::string enqueue_missing_document() {
        store::new_execution e;
        e.record.id = "x" + std::to_string(next_++);
        e.record.process = "p";
        e.record.document_ids = {e.record.id + "-0", e.record.id + "-1"};
        e.documents = {{"doc of " + e.record.id, {}}};
        std::vector<store::new_execution> batch{std::move(e)};
        const auto last = db_->commit(batch);
        EXPECT_TRUE(last);
        queue_->notify(*last);
        return batch[0].record.id;
    }

    store::execution_record stored(const std::string& id) {
        auto rec = db_->read_execution(id);
        EXPECT_TRUE(rec) << id;
        return rec ? *rec : store::execution_record{};
    }

    std::string document(const std::string& id) {
        const auto doc = db_->read_document(id);
        return doc ? doc->data : "(" + doc.error().message() + ")";
    }

    void restart() {
        close();
        open();
    }

private:
    void open() {
        db_ = store::store::open((dir_.path() / "db").string()).value();
        queue_ = std::make_unique<pending_queue>(*db_, pending_queue::settings{});
        queue_->start();
    }
    void close() {
        if (queue_) queue_->stop();
        queue_.reset();
        db_.reset();
    }

    test::temp_dir dir_;
    std::unique_ptr<store::store> db_;
    std::unique_ptr<pending_queue> queue_;
    int next_ = 0;
    int handed_over_ = 0;
};

}  // namespace

namespace conformance {
INSTANTIATE_TYPED_TEST_SUITE_P(RocksDbPendingQueue, ExecutionBackendConformance,
                               pending_queue_harness);
}  // namespace conformance

// Outcomes in their stored form (a worker's results, passed on by the dispatcher) are written as
// they came, with the step outputs beside them, and end the work like decoded ones; one whose
// lease was lost is dropped, not written.
TEST(PendingQueue, OutcomesInStoredFormAreWrittenAsTheyCame) {
    using namespace std::chrono_literals;
    pending_queue_harness h;
    h.enqueue(3);
    const auto lease = h.backend().claim({.claimer = 0, .max = 2});
    ASSERT_EQ(lease.executions.size(), 2u);
    const auto lost = h.backend().claim({.claimer = 1, .max = 1, .lease_for = 50ms});
    ASSERT_EQ(lost.executions.size(), 1u);
    execution_lease again;
    ASSERT_TRUE(test::eventually([&] {
        again = h.backend().claim({.claimer = 2, .max = 1});
        return !again.empty();
    }));

    execution_output out;
    std::vector<store::execution_record> decoded;
    std::vector<std::string> sent;
    for (const auto* l : {&lease, &lost}) {
        for (const auto& e : l->executions) {
            auto rec = e.record;
            rec.state = store::execution_state::succeeded;
            rec.finished_ms = 1234;
            rec.trace.push_back({"s", "message", 1, 1, 0, 5, 6, "", {rec.id + "-s0-0"}});
            if (l == &lease && decoded.empty()) {
                decoded.push_back(rec);
                continue;
            }
            sent.push_back(store::encode_execution(rec));
            out.encoded.records.push_back({rec.id, rec.pending_seq, sent.back()});
            out.encoded.documents.emplace_back(rec.id + "-s0-0",
                                               store::encode_document({"out", {}}));
        }
    }
    const std::uint64_t ids[] = {lease.id, lost.id};
    const auto done = h.backend().finish(ids, decoded, out);
    ASSERT_TRUE(done);
    ASSERT_EQ(done->dropped, std::vector<std::string>{lost.executions[0].record.id});

    const auto& written = lease.executions[1].record.id;
    EXPECT_EQ(store::encode_execution(h.stored(written)), sent[0]);
    EXPECT_EQ(h.document(written + "-s0-0"), "out");
    EXPECT_EQ(h.stored(decoded[0].id).state, store::execution_state::succeeded);
    EXPECT_NE(h.stored(lost.executions[0].record.id).state, store::execution_state::succeeded)
        << "its outcome was dropped: another lease holds it now";
    h.restart();
    // Nothing of the two runs again; the one whose lease was lost does.
    const auto left = h.backend().claim({.claimer = 0, .max = 10});
    ASSERT_EQ(left.executions.size(), 1u);
    EXPECT_EQ(left.executions[0].record.id, lost.executions[0].record.id);
}

// low_latency executions are claimed before stored work and never written.
TEST(PendingQueue, InMemoryExecutionsComeFirstAndAreNotStored) {
    pending_queue_harness h;
    h.enqueue(1);
    store::new_execution fast;
    fast.record.id = "fast";
    fast.record.process = "p";
    fast.documents = {{"quick", {}}};
    ASSERT_TRUE(h.queue().run_in_memory(std::move(fast)));
    const auto lease = h.backend().claim({0, 10});
    ASSERT_EQ(lease.executions.size(), 1u);
    EXPECT_TRUE(lease.executions[0].in_memory());
    EXPECT_EQ(lease.executions[0].documents[0].data, "quick");
    auto rec = lease.executions[0].record;
    rec.state = store::execution_state::succeeded;
    execution_output out;
    const std::uint64_t ids[] = {lease.id};
    ASSERT_TRUE(h.backend().finish(ids, std::span(&rec, 1), out));
    h.restart();
    auto stored = h.backend().claim({0, 10});
    ASSERT_EQ(stored.executions.size(), 1u);
    EXPECT_FALSE(stored.executions[0].in_memory());
}

// An in-memory execution whose lease is lost cannot run again (nothing of it is stored): it
// comes back once, to be failed.
TEST(PendingQueue, ALostInMemoryExecutionComesBackToBeFailed) {
    pending_queue_harness h;
    store::new_execution fast;
    fast.record.id = "fast";
    fast.record.process = "p";
    ASSERT_TRUE(h.queue().run_in_memory(std::move(fast)));
    claim_request request{0, 1};
    request.lease_for = std::chrono::milliseconds(30);
    ASSERT_EQ(h.backend().claim(request).executions.size(), 1u);
    execution_lease again;
    ASSERT_TRUE(test::eventually([&] {
        again = h.backend().claim({0, 1});
        return !again.empty();
    }));
    ASSERT_EQ(again.executions.size(), 1u);
    EXPECT_EQ(again.executions[0].record.id, "fast");
    EXPECT_NE(again.executions[0].error.find("cannot run again"), std::string::npos);
}

// Past max_attempts an execution is handed out with the reason to fail it.
TEST(PendingQueue, AnExecutionOutOfAttemptsIsHandedOutToBeFailed) {
    pending_queue_harness h;
    h.enqueue(1);
    for (int i = 1; i <= 5; ++i) {
        const auto lease = h.backend().claim({0, 1});
        ASSERT_EQ(lease.executions.size(), 1u);
        EXPECT_TRUE(lease.executions[0].error.empty()) << "attempt " << i;
        h.backend().release(lease.id, std::chrono::milliseconds(0));
    }
    const auto last = h.backend().claim({0, 1});
    ASSERT_EQ(last.executions.size(), 1u);
    EXPECT_NE(last.executions[0].error.find("abandoned after 5 attempts"), std::string::npos)
        << last.executions[0].error;
}

// A claim reads its executions' records and documents together; one whose document is missing
// is handed out with the error (to be failed), and the others of the claim are whole.
TEST(PendingQueue, AClaimReadTogetherKeepsEachExecutionsDocumentsAndErrors) {
    pending_queue_harness h;
    h.enqueue(1);  // handed over: not read
    const auto read_before = h.enqueue(2);
    const auto broken = h.enqueue_missing_document();
    const auto read_after = h.enqueue(1);  // handed over, but the cursor reads past it now
    const auto lease = h.backend().claim({0, 10});
    ASSERT_EQ(lease.executions.size(), 5u);
    for (const auto& e : lease.executions) {
        if (e.record.id == broken) {
            EXPECT_EQ(e.error, "document " + broken + "-1 unreadable: " +
                                   store::make_error_code(store::errc::not_found).message());
            continue;
        }
        EXPECT_TRUE(e.error.empty()) << e.record.id << ": " << e.error;
        ASSERT_EQ(e.documents.size(), 1u) << e.record.id;
        EXPECT_EQ(e.documents[0].data, "doc of " + e.record.id);
        EXPECT_EQ(e.record.state, store::execution_state::running);
        EXPECT_EQ(e.record.attempts, 1u);
    }
    EXPECT_EQ(lease.executions[1].record.id, read_before[0]);
    EXPECT_EQ(lease.executions[4].record.id, read_after[0]);
}

// A claim for a worker dispatcher hands out the records and documents in their stored form,
// read or handed over alike, the records already started; one that cannot run comes whole, to
// be failed, without them.
TEST(PendingQueue, AStoredFormClaimHandsOutRecordsAsStoredAndStarted) {
    pending_queue_harness h;
    h.enqueue(1);  // handed over: encoded here
    const auto read = h.enqueue(2);
    const auto broken = h.enqueue_missing_document();
    claim_request request{7, 10};
    request.noted = false;
    request.stored_form = true;
    const auto lease = h.backend().claim(request);
    ASSERT_EQ(lease.executions.size(), 4u);
    for (const auto& e : lease.executions) {
        if (e.record.id == broken) {
            EXPECT_TRUE(e.stored_record.empty());
            EXPECT_TRUE(e.stored_documents.empty());
            EXPECT_FALSE(e.error.empty());
            EXPECT_EQ(e.record.process, "p");  // the whole record, to be failed
            continue;
        }
        EXPECT_TRUE(e.error.empty()) << e.record.id << ": " << e.error;
        const auto whole = store::decode_execution(e.stored_record);
        ASSERT_TRUE(whole) << e.record.id;
        EXPECT_EQ(whole->id, e.record.id);
        EXPECT_EQ(whole->process, "p");
        EXPECT_EQ(whole->state, store::execution_state::running);
        EXPECT_EQ(whole->attempts, 1u);
        EXPECT_EQ(whole->pending_seq, e.seq);
        EXPECT_GT(whole->started_ms, 0);
        EXPECT_TRUE(e.documents.empty());
        ASSERT_EQ(e.stored_documents.size(), 1u);
        const auto doc = store::decode_document(e.stored_documents[0]);
        ASSERT_TRUE(doc) << e.record.id;
        EXPECT_EQ(doc->data, "doc of " + e.record.id);
    }
    EXPECT_EQ(lease.executions[1].record.id, read[0]);
}

// The running note rides in the finishing write of the batch before: after a crash the next
// batch's attempt is counted, the finished one's is not.
TEST(PendingQueue, TheNextBatchIsNotedInTheFinishingWrite) {
    pending_queue_harness h;
    const auto queued = h.enqueue(2);
    const auto first = h.backend().claim({0, 1});
    ASSERT_EQ(first.executions.size(), 1u);
    auto rec = first.executions[0].record;
    rec.state = store::execution_state::succeeded;
    execution_output out;
    const std::uint64_t ids[] = {first.id};
    const claim_request next{0, 1};
    const auto done = h.backend().finish(ids, std::span(&rec, 1), out, &next);
    ASSERT_TRUE(done);
    ASSERT_EQ(done->next.executions.size(), 1u);
    h.restart();  // as after a crash while the next batch ran
    const auto again = h.backend().claim({0, 10});
    ASSERT_EQ(again.executions.size(), 1u);
    EXPECT_EQ(again.executions[0].record.id, done->next.executions[0].record.id);
    EXPECT_EQ(again.executions[0].record.attempts, 2u);
    EXPECT_EQ(h.stored(first.executions[0].record.id).state, store::execution_state::succeeded);
}

}  // namespace ferry::engine
