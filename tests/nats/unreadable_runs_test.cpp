// What the cluster does with a run it cannot read, in the work stream and in the delayed
// stream: junk is dropped, a newer ferry's run is left for a node that reads it, and the runs
// beside them go on. On a real nats-server.
#include <gtest/gtest.h>

#include "cluster/cluster_messages.hpp"
#include "cluster/delayed_runs.hpp"
#include "nats/jetstream_harness.hpp"
#include "support/eventually.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;

// Work in the stream that is not an execution (written by something else, or damaged) is
// dropped with an error logged; the executions beside it run.
TEST(JetStreamBackend, AnUnreadableRunIsDroppedAndTheRestRun) {
    jetstream_harness h;
    ASSERT_TRUE(h.nats().publish("ferry.runs", "not an execution", "junk"));
    const auto ids = h.enqueue(1);
    const auto lease = h.backend().claim({.max = 10});
    ASSERT_EQ(lease.executions.size(), 1u);
    EXPECT_EQ(lease.executions[0].record.id, ids[0]);
    // Terminated, it leaves the work stream; the claimed one stays until finished.
    EXPECT_TRUE(
        test::eventually([&] { return h.nats().stream("FERRY_RUNS").value().messages == 1; }));
    h.restart();
    EXPECT_TRUE(h.backend().claim({.max = 10}).executions.size() == 1u);  // only the real one
}

// A run a newer ferry wrote (a cluster in the middle of an upgrade: its own format byte, or its
// record's, above what this ferry reads) is left in the work stream for a ferry that reads it:
// never dropped as damaged, never run.
TEST(JetStreamBackend, ARunOfANewerFerryIsLeftInTheStream) {
    jetstream_harness h;
    const auto runs_before = h.nats().stream("FERRY_RUNS").value().messages;
    ASSERT_TRUE(h.nats().publish("ferry.runs", "\x02 a run in a format still to come", "newer"));
    queued_run newer_record;
    newer_record.record = "\x04 an execution record in a format still to come";
    ASSERT_TRUE(h.nats().publish("ferry.runs", encode_run(newer_record), "newer-record"));
    const auto ids = h.enqueue(1);
    const auto lease = h.backend().claim({.max = 10});
    ASSERT_EQ(lease.executions.size(), 1u);
    EXPECT_EQ(lease.executions[0].record.id, ids[0]);
    h.restart();
    EXPECT_EQ(h.backend().claim({.max = 10}).executions.size(), 1u);  // only the real one
    // Both are still there (work-queue retention removes what was acknowledged or terminated).
    EXPECT_EQ(h.nats().stream("FERRY_RUNS").value().messages, runs_before + 3);
}

// The delayed stream (queue redeliveries waiting to be due) treats what it cannot read as the
// work stream does: junk is dropped, a newer ferry's run is left there, and a due run beside
// them is queued for work.
TEST(JetStreamBackend, TheDelayedStreamDropsJunkAndLeavesANewerFerrysRun) {
    jetstream_harness h;
    const jetstream_settings settings;
    auto delayed = delayed_runs::open(h.nats(), settings);
    ASSERT_TRUE(delayed) << delayed.error().message();
    const auto runs_before = h.nats().stream("FERRY_RUNS").value().messages;
    ASSERT_TRUE(h.nats().publish("ferry.delayed", "not a run", "junk"));
    ASSERT_TRUE(h.nats().publish("ferry.delayed", "\x02 a run in a format still to come", "newer"));
    const auto due = run_of(execution("due-1", "a due redelivery"));
    ASSERT_TRUE(due);
    ASSERT_TRUE(h.nats().publish("ferry.delayed", encode_run(*due), "due"));
    std::size_t moved = 0;
    EXPECT_TRUE(test::eventually([&] {
        const auto now = (*delayed)->move_due(200ms);
        if (now) moved += *now;
        return moved == 1 && h.nats().stream("FERRY_DELAYED").value().messages == 1;
    }));
    EXPECT_EQ(moved, 1u);
    EXPECT_EQ(h.nats().stream("FERRY_RUNS").value().messages, runs_before + 1);
    const auto lease = h.backend().claim({.max = 10});
    ASSERT_EQ(lease.executions.size(), 1u);
    EXPECT_EQ(lease.executions[0].record.id, "due-1");
}

}  // namespace
}  // namespace ferry::engine::cluster
