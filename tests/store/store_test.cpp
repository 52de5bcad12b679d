#include "ferry/store/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "ferry/store/error.hpp"
#include "support/temp_dir.hpp"

namespace ferry::store {
namespace {

new_execution make_execution(const std::string& id, std::vector<std::string> payloads) {
    new_execution e;
    e.record.id = id;
    e.record.process = "p";
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        e.record.document_ids.push_back(id + "-" + std::to_string(i));
        e.documents.push_back({payloads[i], {{"k", "v" + std::to_string(i)}}});
    }
    return e;
}

}  // namespace

class StoreTest : public ::testing::Test {
protected:
    std::unique_ptr<store> open() { return store::open(dir_.str()).value(); }
    test::temp_dir dir_;
};

// What commit() stored can be read back: the execution and each of its documents.
TEST_F(StoreTest, CommitThenReadRoundTrips) {
    auto db = open();
    std::vector<new_execution> batch = {make_execution("a", {"one", "two"})};
    ASSERT_TRUE(db->commit(batch));
    EXPECT_EQ(batch[0].record.pending_seq, 1u);
    const auto rec = db->read_execution("a");
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->document_ids, (std::vector<std::string>{"a-0", "a-1"}));
    const auto doc = db->read_document("a-1");
    ASSERT_TRUE(doc);
    EXPECT_EQ(doc->data, "two");
    EXPECT_EQ(doc->props.at("k"), "v1");
}

// Reading an id that was never written is an expected error, not an exception.
TEST_F(StoreTest, ReadUnknownExecutionIsNotFound) {
    auto db = open();
    EXPECT_EQ(db->read_execution("nope").error(), errc::not_found);
    EXPECT_EQ(db->read_document("nope-0").error(), errc::not_found);
}

// Records and documents read together come back in the order asked, each with its own error.
TEST_F(StoreTest, ReadManyKeepsTheOrderAndEachError) {
    auto db = open();
    std::vector<new_execution> batch = {make_execution("a", {"one"}), make_execution("b", {"two"})};
    ASSERT_TRUE(db->commit(batch));
    const std::vector<std::string_view> ids = {"b", "nope", "a"};
    const auto records = db->read_executions(ids);
    ASSERT_EQ(records.size(), 3u);
    ASSERT_TRUE(records[0]);
    EXPECT_EQ(records[0]->id, "b");
    EXPECT_EQ(records[1].error(), errc::not_found);
    ASSERT_TRUE(records[2]);
    EXPECT_EQ(records[2]->id, "a");
    const std::vector<std::string_view> doc_ids = {"a-0", "b-0", "b-1"};
    const auto docs = db->read_documents(doc_ids);
    ASSERT_EQ(docs.size(), 3u);
    ASSERT_TRUE(docs[0]);
    EXPECT_EQ(docs[0]->data, "one");
    ASSERT_TRUE(docs[1]);
    EXPECT_EQ(docs[1]->data, "two");
    EXPECT_EQ(docs[2].error(), errc::not_found);
    EXPECT_TRUE(db->read_executions({}).empty());
    // In their stored form: the same records, undecoded.
    const auto stored = db->read_stored_executions(ids);
    ASSERT_EQ(stored.size(), 3u);
    ASSERT_TRUE(stored[0]);
    EXPECT_EQ(*stored[0], encode_execution(*records[0]));
    EXPECT_EQ(stored[1].error(), errc::not_found);
}

// Documents in their stored form are the bytes read_documents() decodes, each checked whole: a
// value that does not decode is an error, as it is there, and the others are unharmed.
TEST_F(StoreTest, StoredDocumentsAreCheckedAsTheyAreRead) {
    auto db = open();
    std::vector<new_execution> batch = {make_execution("a", {"one", "two"})};
    ASSERT_TRUE(db->commit(batch));
    // A step output that arrived damaged (the store writes encoded outcomes as they come).
    encoded_outcomes damaged;
    damaged.documents.emplace_back("a-9", "\x07 not a document");
    ASSERT_TRUE(db->finish_executions({}, {}, {}, {}, nullptr, &damaged));
    const std::vector<std::string_view> ids = {"a-1", "a-9", "nope", "a-0"};
    const auto stored = db->read_stored_documents(ids);
    const auto decoded = db->read_documents(ids);
    ASSERT_EQ(stored.size(), 4u);
    ASSERT_TRUE(stored[0]);
    ASSERT_TRUE(decoded[0]);
    EXPECT_EQ(*stored[0], encode_document(*decoded[0]));
    EXPECT_EQ(decode_document(*stored[0])->data, "two");
    EXPECT_EQ(stored[1].error(), errc::corrupt_record);
    EXPECT_EQ(decoded[1].error(), errc::corrupt_record);
    EXPECT_EQ(stored[2].error(), errc::not_found);
    ASSERT_TRUE(stored[3]);
    EXPECT_EQ(decode_document(*stored[3])->props.at("k"), "v0");
}

// One commit of many executions is one synced write, with seqs in batch order.
TEST_F(StoreTest, BatchIsOneSyncedWrite) {
    auto db = open();
    const auto before = db->stats().synced_writes;
    std::vector<new_execution> batch;
    for (int i = 0; i < 50; ++i) batch.push_back(make_execution("e" + std::to_string(i), {"x"}));
    ASSERT_TRUE(db->commit(batch));
    EXPECT_EQ(db->stats().synced_writes - before, 1u);
    const auto pending = db->read_pending(0, 1000);
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 50u);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ((*pending)[i].execution_id, "e" + std::to_string(i));
        EXPECT_EQ((*pending)[i].seq, static_cast<std::uint64_t>(i + 1));
    }
}

// finish_executions() stores the outcome and takes the execution off the pending queue.
TEST_F(StoreTest, FinishRemovesFromPending) {
    auto db = open();
    std::vector<new_execution> batch = {make_execution("a", {"1"}), make_execution("b", {"2"})};
    ASSERT_TRUE(db->commit(batch));
    auto rec = batch[0].record;
    rec.state = execution_state::succeeded;
    ASSERT_TRUE(db->finish_executions({&rec, 1}));
    const auto pending = db->read_pending(0, 10);
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ(pending->front().execution_id, "b");
    EXPECT_EQ(db->read_execution("a")->state, execution_state::succeeded);
}

// After a reopen, unfinished executions are still pending and new seqs continue upwards.
TEST_F(StoreTest, PendingQueueSurvivesReopen) {
    {
        auto db = open();
        std::vector<new_execution> batch = {make_execution("a", {"1"}), make_execution("b", {"2"})};
        ASSERT_TRUE(db->commit(batch));
        auto done = batch[0].record;
        done.state = execution_state::succeeded;
        ASSERT_TRUE(db->finish_executions({&done, 1}));
        auto running = batch[1].record;
        running.state = execution_state::running;
        ASSERT_TRUE(db->update_executions({&running, 1}));
    }
    auto db = open();
    EXPECT_EQ(db->last_seq(), 2u);
    const auto pending = db->read_pending(0, 10);
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ(pending->front().execution_id, "b");
    EXPECT_EQ(db->read_execution("b")->state, execution_state::running);
    std::vector<new_execution> next = {make_execution("c", {"3"})};
    ASSERT_TRUE(db->commit(next));
    EXPECT_EQ(next[0].record.pending_seq, 3u);
}

// A store closed in an orderly way has flushed every family: what it holds is in table files,
// and the next open has no WAL to replay (after a large backlog that took a second).
TEST_F(StoreTest, AClosedStoreLeavesNoWalToReplay) {
    const auto wal_bytes = [&] {
        std::uintmax_t bytes = 0;
        for (const auto& f : std::filesystem::directory_iterator(dir_.path())) {
            if (f.path().extension() == ".log") bytes += f.file_size();
        }
        return bytes;
    };
    {
        auto db = open();
        std::vector<new_execution> batch;
        for (int i = 0; i < 100; ++i) {
            batch.push_back(make_execution("e" + std::to_string(i), {std::string(1000, 'x')}));
        }
        ASSERT_TRUE(db->commit(batch));
        ASSERT_GT(wal_bytes(), 100'000u) << "the posts are in the WAL while it is open";
    }
    EXPECT_EQ(wal_bytes(), 0u);
    auto db = open();
    EXPECT_EQ(db->last_seq(), 100u);
    EXPECT_EQ(db->read_document("e99-0")->data, std::string(1000, 'x'));
}

// What an executor slot was running when the server stopped gets one attempt counted at the
// next start, unless it finished; the notes are cleared so it is counted once.
TEST_F(StoreTest, InterruptedExecutionsAreCountedOnceAfterReopen) {
    {
        auto db = open();
        std::vector<new_execution> batch = {make_execution("a", {"1"}), make_execution("b", {"2"}),
                                            make_execution("c", {"3"})};
        ASSERT_TRUE(db->commit(batch));
        const std::uint64_t slot0[] = {1, 2};
        const std::uint64_t slot1[] = {3};
        ASSERT_TRUE(db->record_running(0, slot0));
        ASSERT_TRUE(db->record_running(1, slot1));
        auto done = batch[1].record;  // "b" finished; "a" and "c" were interrupted
        done.state = execution_state::succeeded;
        ASSERT_TRUE(db->finish_executions({&done, 1}));
    }
    auto db = open();
    const auto counted = db->recover_interrupted();
    ASSERT_TRUE(counted);
    EXPECT_EQ(*counted, 2u);
    EXPECT_EQ(db->read_execution("a")->attempts, 1u);
    EXPECT_EQ(db->read_execution("b")->attempts, 0u);
    EXPECT_EQ(db->read_execution("c")->attempts, 1u);
    EXPECT_EQ(db->recover_interrupted().value(), 0u);
    EXPECT_EQ(db->read_execution("a")->attempts, 1u);
}

// A slot's next batch noted in the write that finishes its current one replaces the note:
// after a crash the next batch is counted as interrupted, the finished one is not.
TEST_F(StoreTest, FinishingWriteCarriesTheSlotsNextRunningNote) {
    {
        auto db = open();
        std::vector<new_execution> batch = {make_execution("a", {"1"}), make_execution("b", {"2"}),
                                            make_execution("c", {"3"})};
        ASSERT_TRUE(db->commit(batch));
        const std::uint64_t first[] = {1};
        ASSERT_TRUE(db->record_running(0, first));
        auto done = batch[0].record;
        done.state = execution_state::succeeded;
        const store::running_note next{0, {2, 3}};
        ASSERT_TRUE(db->finish_executions({&done, 1}, {}, {}, {}, &next));
    }
    auto db = open();
    EXPECT_EQ(db->recover_interrupted().value(), 2u);
    EXPECT_EQ(db->read_execution("a")->attempts, 0u);
    EXPECT_EQ(db->read_execution("a")->state, execution_state::succeeded);
    EXPECT_EQ(db->read_execution("b")->attempts, 1u);
    EXPECT_EQ(db->read_execution("c")->attempts, 1u);
}

// Finishing many executions is one write that removes all their pending entries.
TEST_F(StoreTest, FinishManyInOneBatch) {
    auto db = open();
    std::vector<new_execution> batch;
    for (int i = 0; i < 5; ++i) batch.push_back(make_execution("e" + std::to_string(i), {"x"}));
    ASSERT_TRUE(db->commit(batch));
    std::vector<execution_record> done;
    for (int i = 0; i < 4; ++i) {
        done.push_back(batch[i].record);
        done.back().state = execution_state::succeeded;
    }
    ASSERT_TRUE(db->finish_executions(done));
    const auto pending = db->read_pending(0, 10);
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ(pending->front().execution_id, "e4");
    EXPECT_EQ(db->read_execution("e3")->state, execution_state::succeeded);
}

// read_pending starts at from_seq and honours the limit.
TEST_F(StoreTest, ReadPendingPages) {
    auto db = open();
    std::vector<new_execution> batch;
    for (int i = 0; i < 10; ++i) batch.push_back(make_execution("e" + std::to_string(i), {"x"}));
    ASSERT_TRUE(db->commit(batch));
    const auto page = db->read_pending(4, 3);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->size(), 3u);
    EXPECT_EQ(page->front().seq, 4u);
    EXPECT_EQ(page->back().seq, 6u);
}

// Sequential values: blocks never overlap and never start over, not even after a reopen;
// each name counts on its own from 1.
TEST_F(StoreTest, SequencesNeverRepeat) {
    {
        auto db = store::open(dir_.str()).value();
        EXPECT_EQ(db->reserve_sequence("invoices", 100).value(), 1u);
        EXPECT_EQ(db->reserve_sequence("invoices", 100).value(), 101u);
        EXPECT_EQ(db->reserve_sequence("orders", 10).value(), 1u);
    }
    auto db = store::open(dir_.str()).value();
    EXPECT_EQ(db->reserve_sequence("invoices", 1).value(), 201u);
    EXPECT_EQ(db->reserve_sequence("orders", 1).value(), 11u);
}

// A streamed upload: staged parts queue nothing; the closing part queues one execution whose
// record lists every document of every part.
TEST_F(StoreTest, StagedPartsBecomeOneExecutionWhenClosed) {
    using part = new_execution::part;
    auto db = open();
    auto first = make_execution("u", {"d0", "d1"});
    first.arrives = part::staged;
    std::vector<new_execution> batch = {first};
    ASSERT_TRUE(db->commit(batch));
    EXPECT_TRUE(db->read_pending(0, 10)->empty());
    EXPECT_EQ(db->read_execution("u").error(), errc::not_found);

    auto last = make_execution("u", {"d0", "d1", "d2"});  // ids u-0..u-2
    last.documents = {{"d2", {}}};
    last.first_document = 2;
    last.arrives = part::closing;
    batch = {last};
    ASSERT_TRUE(db->commit(batch));
    const auto pending = db->read_pending(0, 10);
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ((*pending)[0].execution_id, "u");
    EXPECT_EQ(db->read_execution("u")->document_ids.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(db->read_document("u-" + std::to_string(i))->data, "d" + std::to_string(i));
    }
}

// An aborted upload leaves nothing behind, and neighbours are untouched.
TEST_F(StoreTest, AbortedUploadDeletesItsParts) {
    using part = new_execution::part;
    auto db = open();
    std::vector<new_execution> batch = {make_execution("v", {"keep"})};
    auto staged = make_execution("u", {"a", "b"});
    staged.arrives = part::staged;
    batch.push_back(staged);
    ASSERT_TRUE(db->commit(batch));
    new_execution abort;
    abort.record.id = "u";
    abort.arrives = part::aborted;
    batch = {abort};
    ASSERT_TRUE(db->commit(batch));
    EXPECT_EQ(db->read_document("u-0").error(), errc::not_found);
    EXPECT_EQ(db->read_document("u-1").error(), errc::not_found);
    EXPECT_EQ(db->read_document("v-0")->data, "keep");
    EXPECT_EQ(db->read_pending(0, 10)->size(), 1u);
}

// The intake's and the executors' writes interleave in one memtable with insert hints, and
// aborted uploads delete ranges in it: every key stays where it belongs (store.cpp keeps range
// deletions away from the hints; a shared hint would corrupt the skiplist).
TEST_F(StoreTest, InterleavedWritesAndRangeDeletionsKeepEveryKey) {
    using part = new_execution::part;
    auto db = open();
    for (int round = 0; round < 200; ++round) {
        const auto id = [&](const char* what) {
            char text[32];
            std::snprintf(text, sizeof text, "%06d%s", round, what);
            return std::string(text);
        };
        std::vector<new_execution> batch = {make_execution(id("k"), {"kept"})};
        auto staged = make_execution(id("u"), {"a", "b"});
        staged.arrives = part::staged;
        batch.push_back(staged);
        ASSERT_TRUE(db->commit(batch));
        // An executor finishes the kept execution (its record rewritten, a step document
        // beside its input) while the upload is aborted.
        auto done = batch[0].record;
        done.state = execution_state::succeeded;
        const std::pair<std::string, document> step_output = {id("k") + "-s0-0", {"out", {}}};
        ASSERT_TRUE(db->finish_executions({&done, 1}, {&step_output, 1}));
        new_execution abort;
        abort.record.id = id("u");
        abort.arrives = part::aborted;
        batch = {abort};
        ASSERT_TRUE(db->commit(batch));
    }
    for (int round = 0; round < 200; ++round) {
        char k[32], u[32];
        std::snprintf(k, sizeof k, "%06dk", round);
        std::snprintf(u, sizeof u, "%06du", round);
        ASSERT_EQ(db->read_document(std::string(k) + "-0")->data, "kept") << k;
        ASSERT_EQ(db->read_document(std::string(k) + "-s0-0")->data, "out") << k;
        ASSERT_EQ(db->read_execution(k)->state, execution_state::succeeded) << k;
        ASSERT_EQ(db->read_document(std::string(u) + "-0").error(), errc::not_found) << u;
        ASSERT_EQ(db->read_document(std::string(u) + "-1").error(), errc::not_found) << u;
    }
    EXPECT_TRUE(db->read_pending(0, 10)->empty());
}

// Parts of an upload that never closed (the server died mid-body) are discarded at the next
// open: they were never acknowledged.
TEST_F(StoreTest, UnfinishedUploadIsDiscardedOnOpen) {
    {
        auto db = open();
        auto staged = make_execution("u", {"a", "b"});
        staged.arrives = new_execution::part::staged;
        std::vector<new_execution> batch = {staged};
        ASSERT_TRUE(db->commit(batch));
    }
    auto db = open();
    EXPECT_EQ(db->read_document("u-0").error(), errc::not_found);
    EXPECT_TRUE(db->read_pending(0, 10)->empty());
}

// RocksDB's own log goes to the LOG file of the store's directory (through ferry's logger,
// which a full disk cannot make abort); the previous run's is kept as LOG.old.
TEST_F(StoreTest, RocksDbLogsToTheLogFileAndKeepsThePreviousRun) {
    open().reset();
    const auto first = test::read_file(dir_.path() / "LOG");
    EXPECT_NE(first.find("RocksDB version"), std::string::npos) << first.substr(0, 500);
    open().reset();
    EXPECT_EQ(test::read_file(dir_.path() / "LOG.old"), first);
    EXPECT_NE(test::read_file(dir_.path() / "LOG").find("RocksDB version"), std::string::npos);
}

}  // namespace ferry::store
