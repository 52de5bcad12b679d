#include "ferry/engine/execute/executor.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <thread>

#include "ferry/engine/model/process_loader.hpp"
#include "support/eventually.hpp"
#include "support/recording.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine {

class ExecutorTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_dir_.write("record.yaml", test::recording_process);
        holder_ = std::make_unique<registry_holder>(load_process_directory(processes_dir_.str()));
    }

    std::vector<std::string> commit(int count, const std::string& process = "recordEvent") {
        std::vector<store::new_execution> batch;
        std::vector<std::string> doc_ids;
        for (int i = 0; i < count; ++i) {
            store::new_execution e;
            e.record.id = "e" + std::to_string(next_++);
            e.record.process = process;
            e.record.document_ids = {e.record.id + "-0", e.record.id + "-1"};
            e.documents = {{"{}", {}}, {"{}", {}}};
            doc_ids.insert(doc_ids.end(), e.record.document_ids.begin(),
                           e.record.document_ids.end());
            batch.push_back(std::move(e));
        }
        EXPECT_TRUE(db_->commit(batch));
        return doc_ids;
    }

    std::map<std::string, int> executed() const { return test::executed_documents(data_.path()); }

    void wait_for_finished(executor_pool& pool, std::uint64_t count) {
        test::eventually([&] { return pool.stats().succeeded + pool.stats().failed >= count; });
    }

    executor_settings settings() const {
        executor_settings s;
        s.threads = 3;
        s.limits.files_root = (data_.path() / "files").string();
        s.max_attempts = 5;
        return s;
    }

    test::temp_dir processes_dir_;
    test::temp_dir data_;
    std::unique_ptr<store::store> db_ = store::store::open((data_.path() / "db").string()).value();
    std::unique_ptr<registry_holder> holder_;
    int next_ = 0;
};

// Executions committed while the pool runs are each executed exactly once.
TEST_F(ExecutorTest, RunsEachCommittedExecutionOnce) {
    executor_pool pool(*db_, *holder_, settings());
    pool.start();
    std::vector<std::string> ids;
    for (int round = 0; round < 10; ++round) {
        const auto more = commit(100);
        ids.insert(ids.end(), more.begin(), more.end());
        pool.notify(db_->last_seq());
    }
    wait_for_finished(pool, 1000);
    pool.stop();
    EXPECT_EQ(pool.stats().succeeded, 1000u);
    const auto seen = executed();
    ASSERT_EQ(seen.size(), ids.size());
    for (const auto& id : ids) EXPECT_EQ(seen.at(id), 1) << id;
    EXPECT_EQ(db_->read_pending(0, 10)->size(), 0u);
    EXPECT_EQ(db_->read_execution("e0")->state, store::execution_state::succeeded);
}

// Executions handed over by the intake run from memory; when the handover has a gap (the
// pool fell behind or a batch was not handed over) the pool reads the store instead. Either
// way each execution runs exactly once.
TEST_F(ExecutorTest, HandedOverAndStoredExecutionsEachRunOnce) {
    executor_pool pool(*db_, *holder_, settings());
    pool.start();
    std::vector<std::string> ids;
    std::vector<std::string> from_memory;
    for (int round = 0; round < 12; ++round) {
        std::vector<store::new_execution> batch;
        for (int i = 0; i < 50; ++i) {
            store::new_execution e;
            e.record.id = "e" + std::to_string(next_++);
            e.record.process = "recordEvent";
            e.record.document_ids = {e.record.id + "-0"};
            e.documents = {{"{}", {}}};
            batch.push_back(std::move(e));
        }
        ASSERT_TRUE(db_->commit(batch));
        for (const auto& e : batch) ids.push_back(e.record.document_ids[0]);
        if (round % 3 == 1) {
            pool.notify(db_->last_seq());  // not handed over: read from the store
        } else {
            // Handed over: the in-memory copy says where it came from, to prove the path. The
            // pool takes it only when caught up, so let it finish the rounds before (on a busy
            // machine it may otherwise still be reading them from the store).
            wait_for_finished(pool, static_cast<std::uint64_t>(50 * round));
            for (auto& e : batch) {
                e.record.document_ids[0] += "-memory";
                from_memory.push_back(e.record.document_ids[0]);
            }
            pool.notify(db_->last_seq(), std::move(batch));
        }
    }
    wait_for_finished(pool, 600);
    pool.stop();
    EXPECT_EQ(pool.stats().succeeded, 600u);
    const auto seen = executed();
    ASSERT_EQ(seen.size(), 600u);
    // Everything ran once, under its stored id or (handed over, caught up) its memory id.
    std::size_t ran_from_memory = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto memory_id = ids[i] + "-memory";
        const int runs = (seen.count(ids[i]) ? seen.at(ids[i]) : 0) +
                         (seen.count(memory_id) ? seen.at(memory_id) : 0);
        EXPECT_EQ(runs, 1) << ids[i];
        if (seen.count(memory_id)) ++ran_from_memory;
    }
    EXPECT_GT(ran_from_memory, 0u);
    EXPECT_EQ(db_->read_pending(0, 10)->size(), 0u);
}

// An execution a previous server was running when it died counts that attempt.
TEST_F(ExecutorTest, InterruptedRunIsCountedOnStart) {
    commit(2);
    const std::uint64_t running[] = {1};
    ASSERT_TRUE(db_->record_running(0, running));
    executor_pool pool(*db_, *holder_, settings());
    pool.start();
    wait_for_finished(pool, 2);
    pool.stop();
    EXPECT_EQ(db_->read_execution("e0")->attempts, 2u);  // interrupted once, then ran
    EXPECT_EQ(db_->read_execution("e1")->attempts, 1u);
    EXPECT_EQ(db_->read_execution("e0")->state, store::execution_state::succeeded);
}

// On start, executions left queued or running by a previous server are found and run.
TEST_F(ExecutorTest, RecoversPendingExecutionsOnStart) {
    const auto ids = commit(300);
    auto interrupted = db_->read_execution("e7").value();
    interrupted.state = store::execution_state::running;
    interrupted.attempts = 1;
    ASSERT_TRUE(db_->update_executions({&interrupted, 1}));

    executor_pool pool(*db_, *holder_, settings());
    pool.start();  // no notify: recovery alone must find them
    wait_for_finished(pool, 300);
    pool.stop();
    EXPECT_EQ(executed().size(), ids.size());
    const auto rec = db_->read_execution("e7").value();
    EXPECT_EQ(rec.state, store::execution_state::succeeded);
    EXPECT_EQ(rec.attempts, 2u);
}

// An execution whose process is no longer deployed fails with a clear error.
TEST_F(ExecutorTest, UnknownProcessFails) {
    commit(1, "gone");
    executor_pool pool(*db_, *holder_, settings());
    pool.start();
    wait_for_finished(pool, 1);
    pool.stop();
    const auto rec = db_->read_execution("e0").value();
    EXPECT_EQ(rec.state, store::execution_state::failed);
    EXPECT_EQ(rec.error, "process 'gone' is not deployed");
}

// An execution that was interrupted too often is failed instead of crashing the server forever.
TEST_F(ExecutorTest, PoisonExecutionIsAbandoned) {
    commit(1);
    auto rec = db_->read_execution("e0").value();
    rec.attempts = 5;
    ASSERT_TRUE(db_->update_executions({&rec, 1}));
    executor_pool pool(*db_, *holder_, settings());
    pool.start();
    wait_for_finished(pool, 1);
    pool.stop();
    const auto after = db_->read_execution("e0").value();
    EXPECT_EQ(after.state, store::execution_state::failed);
    EXPECT_NE(after.error.find("abandoned after 5 attempts"), std::string::npos);
    EXPECT_TRUE(executed().empty());
}

}  // namespace ferry::engine

namespace ferry::engine {

// process_call without wait: the started executions are queued with the caller's finish,
// run once each, and know their parent.
TEST_F(ExecutorTest, StartedExecutionsRunOnceAfterTheCaller) {
    processes_dir_.write(
        "fanout.yaml",
        "name: fanout\nlisten: {type: execute, object: Fanout, input: multiple_json, "
        "output: none}\nsteps:\n  - process_call: {process: recordEvent, wait: false}\n");
    holder_ = std::make_unique<registry_holder>(load_process_directory(processes_dir_.str()));
    executor_pool pool(*db_, *holder_, settings());
    pool.start();
    commit(5, "fanout");
    pool.notify(db_->last_seq());
    wait_for_finished(pool, 10);
    pool.stop();
    EXPECT_EQ(pool.stats().succeeded, 10u);
    EXPECT_EQ(db_->read_pending(0, 10)->size(), 0u);
    // Each fanout execution's two documents were recorded once, by a new execution.
    const auto seen = executed();
    EXPECT_EQ(seen.size(), 10u);
    for (const auto& [id, count] : seen) {
        EXPECT_EQ(count, 1) << id;
        EXPECT_NE(id.substr(0, 1), "e") << "recorded under the started execution's ids";
        const auto started = db_->read_execution(id.substr(0, id.rfind('-')));
        ASSERT_TRUE(started);
        EXPECT_EQ(started->process, "recordEvent");
        EXPECT_EQ(started->process_props.at("parent_execution").substr(0, 1), "e");
    }
}

}  // namespace ferry::engine

namespace ferry::engine {

// Sequential values in executions: every document gets its own value, across executor
// threads, and a restarted pool continues after the values already reserved.
TEST_F(ExecutorTest, SequentialValuesAreNeverHandedOutTwice) {
    processes_dir_.write(
        "number.yaml",
        "name: number\nlisten: {type: execute, object: Number, input: multiple_json, "
        "output: none}\nsteps:\n  - message: {template: '{1}', variables: [{sequence: n}]}\n"
        "  - file_write: {directory: log, file_name: numbers, append: true}\n");
    holder_ = std::make_unique<registry_holder>(load_process_directory(processes_dir_.str()));
    for (int round = 0; round < 2; ++round) {
        executor_pool pool(*db_, *holder_, settings());
        pool.start();
        commit(10, "number");
        pool.notify(db_->last_seq());
        wait_for_finished(pool, 10);
        pool.stop();
        EXPECT_EQ(pool.stats().succeeded, 10u);
    }
    std::istringstream lines(test::read_file(data_.path() / "files/log/numbers"));
    std::set<std::uint64_t> values;
    for (std::string line; std::getline(lines, line);) values.insert(std::stoull(line));
    EXPECT_EQ(values.size(), 40u);  // 2 rounds x 10 executions x 2 documents, all distinct
    EXPECT_EQ(*values.begin(), 1u);
    EXPECT_GE(*values.rbegin(), 101u);  // the second pool reserved a fresh block
}

}  // namespace ferry::engine
