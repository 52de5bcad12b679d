// Bulk replays (engine/replay_jobs.hpp) over a real store and executor queue: by filter, by
// ids, dry run against another version, pacing by the executors' backlog, cancel.
#include "ferry/engine/ops/replay_jobs.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/runtime.hpp"
#include "support/eventually.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine {
namespace {

// Version 1 refuses documents without "ok"; version 2 accepts all; both stamp what passes.
std::string checker(int version) {
    return "name: check\nversion: " + std::to_string(version) +
           "\nlisten: {type: create, object: Check, input: single_json, output: none}\n"
           "steps:\n"
           "  - id: gate\n"
           "    decision:\n"
           "      left: current_data\n"
           "      op: wildcard\n"
           "      right: {static: \"" +
           (version == 1 ? "*ok*" : "*") +
           "\"}\n"
           "      then:\n"
           "        - id: stamp\n"
           "          message: {template: \"v" +
           std::to_string(version) +
           "\"}\n"
           "      else:\n"
           "        - id: refuse\n"
           "          exception: {message: \"not ok\"}\n";
}

// An execution id as the engine makes them: creation ms (here 1000 + i), counter, node.
std::string id_of(int i) {
    char id[32];
    std::snprintf(id, sizeof id, "%012llx%06x000001", 1000ull + static_cast<unsigned>(i),
                  static_cast<unsigned>(i));
    return id;
}

class ReplayJobsTest : public ::testing::Test {
protected:
    void SetUp() override {
        runtime_settings s;
        s.data_dir = dir_.str();
        s.processes = load_process_set({{"check.yaml", checker(1)}});
        s.intake_endpoint = "inproc://replay-jobs-test";
        s.reply_endpoint = "inproc://replay-jobs-test-replies";
        engine_ = runtime::open(ctx_, std::move(s)).value();
        // The executors are not started: what a job queues stays queued, to be counted.
    }

    // `count` finished executions of check version 1, every third one failed.
    void store_history(int count) {
        std::vector<store::new_execution> batch;
        for (int i = 0; i < count; ++i) {
            store::new_execution e;
            e.record.id = id_of(i);
            e.record.process = "check";
            e.record.process_version = 1;
            e.record.created_ms = 1000 + i;
            const bool fails = i % 3 == 0;
            e.record.state =
                fails ? store::execution_state::failed : store::execution_state::succeeded;
            if (fails) e.record.error = "step 'refuse': not ok";
            e.record.trace = {{"gate", "decision", 1, 1, 0, 0, 0, "", {}}};
            if (fails) {
                e.record.trace.push_back({"refuse", "exception", 1, 0, 1, 0, 0, "not ok", {}});
            } else {
                e.record.trace.push_back({"stamp", "message", 1, 1, 0, 0, 0, "", {}});
            }
            e.record.document_ids = {e.record.id + "-0"};
            e.documents = {{fails ? "{}" : "{\"ok\": 1}", {}}};
            batch.push_back(std::move(e));
        }
        ASSERT_TRUE(engine_->db().commit(batch));
    }

    replay_progress wait_ended(replay_jobs& jobs, const std::string& id) {
        std::optional<replay_progress> p;
        const auto ended = test::eventually(
            [&] {
                p = jobs.progress(id);
                return p &&
                       (p->state == "finished" || p->state == "cancelled" || p->state == "failed");
            },
            std::chrono::seconds(30));
        if (!ended) {
            ADD_FAILURE() << "replay " << id << " did not end";
            return {};
        }
        return *p;
    }

    test::temp_dir dir_;
    transport::context ctx_;
    std::unique_ptr<runtime> engine_;
};

TEST_F(ReplayJobsTest, ReplaysEveryMatchAsANewLinkedExecution) {
    store_history(30);
    replay_jobs jobs(engine_->db(), engine_->processes(), engine_->executors(), {.batch = 4});
    replay_request r;
    r.filter.state = store::execution_state::failed;
    const auto before = engine_->db().last_seq();
    const auto started = jobs.start(r);
    ASSERT_TRUE(started.has_value()) << started.error().detail;
    const auto done = wait_ended(jobs, started.value());
    EXPECT_EQ(done.state, "finished") << done.error;
    EXPECT_EQ(done.total, 10u);
    EXPECT_EQ(done.replayed, 10u);
    EXPECT_EQ(done.refused, 0u);
    EXPECT_EQ(engine_->db().last_seq(), before + 10);
    // The new executions are queued, each naming its original.
    const auto pending = engine_->db().read_pending(before + 1, 100).value();
    ASSERT_EQ(pending.size(), 10u);
    const auto replay = engine_->db().read_execution(pending[0].execution_id).value();
    EXPECT_EQ(replay.process_props.at("replay_of"), id_of(27));  // newest first
    EXPECT_EQ(replay.state, store::execution_state::queued);
}

TEST_F(ReplayJobsTest, DryRunAgainstANewVersionReportsWhatChanges) {
    store_history(9);
    ASSERT_TRUE(engine_->deployments().deploy(checker(2), "check-2.yaml", false).has_value());
    replay_jobs jobs(engine_->db(), engine_->processes(), engine_->executors());
    replay_request r;
    r.filter.process = "check";
    r.version = 2;
    r.dry_run = true;
    const auto before = engine_->db().last_seq();
    const auto done = wait_ended(jobs, jobs.start(r).value());
    EXPECT_EQ(done.state, "finished") << done.error;
    EXPECT_EQ(done.replayed, 9u);
    EXPECT_EQ(done.differing, 3u);  // the three that failed now pass
    ASSERT_EQ(done.items.size(), 3u);
    EXPECT_EQ(done.items[0].differences.at(0), "failed -> succeeded (was: step 'refuse': not ok)");
    // What the dry run ended with is kept for a side-by-side look.
    EXPECT_EQ(done.items[0].dry_last_step, "stamp");
    EXPECT_EQ(done.items[0].dry_output_count, 1u);
    EXPECT_EQ(done.items[0].dry_outputs, std::vector<std::string>{"v2"});
    EXPECT_EQ(engine_->db().last_seq(), before);  // a dry run stores nothing

    // By version 1 nothing differs.
    r.version = 1;
    EXPECT_EQ(wait_ended(jobs, jobs.start(r).value()).differing, 0u);
}

TEST_F(ReplayJobsTest, RefusalsAreCountedAndListed) {
    store_history(3);
    replay_jobs jobs(engine_->db(), engine_->processes(), engine_->executors());
    replay_request r;
    r.ids = {id_of(0), "nope"};
    const auto done = wait_ended(jobs, jobs.start(r).value());
    EXPECT_EQ(done.replayed, 1u);
    EXPECT_EQ(done.refused, 1u);
    ASSERT_EQ(done.items.size(), 1u);
    EXPECT_EQ(done.items[0].error, "unknown_execution");

    replay_request versioned;
    versioned.version = 7;
    EXPECT_EQ(jobs.start(versioned).error().name(), "version_needs_process");
    versioned.filter.process = "check";
    EXPECT_EQ(jobs.start(versioned).error().name(), "unknown_version");
}

// With the executors not draining, a job waits at the backlog limit; cancel ends it there.
TEST_F(ReplayJobsTest, WaitsForTheBacklogAndCanBeCancelled) {
    store_history(60);
    replay_jobs jobs(engine_->db(), engine_->processes(), engine_->executors(),
                     {.batch = 10, .max_backlog = 70});
    replay_request r;
    r.filter.process = "check";
    const auto id = jobs.start(r).value();
    // The 60 stored ones are queued too: one batch of replays fits, the next waits.
    ASSERT_TRUE(test::eventually([&] { return jobs.progress(id)->replayed >= 10; }));
    // Not awaiting anything: long enough for a job that wrongly went on to replay more.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto waiting = jobs.progress(id).value();
    EXPECT_EQ(waiting.state, "running");
    EXPECT_EQ(waiting.replayed, 10u);
    EXPECT_TRUE(jobs.cancel(id));
    const auto done = wait_ended(jobs, id);
    EXPECT_EQ(done.state, "cancelled");
    EXPECT_EQ(done.replayed, 10u);
    EXPECT_FALSE(jobs.cancel("nope"));
    EXPECT_EQ(jobs.list().size(), 1u);
}

}  // namespace
}  // namespace ferry::engine
