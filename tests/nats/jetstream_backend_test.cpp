// Cluster mode's execution backend (NATS JetStream) against the backend conformance suite, on
// a real nats-server, then what only it does.
#include "cluster/jetstream_backend.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "cluster/cluster_messages.hpp"
#include "cluster/parked_messages.hpp"
#include "engine/execution_backend_conformance.hpp"
#include "ferry/engine/model/registry.hpp"
#include "nats/jetstream_harness.hpp"
#include "support/eventually.hpp"
#include "support/nats_cluster.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;

/// An outcome as another node records it: create-only on the execution's subject.
boost::system::result<nats::publish_ack> record_elsewhere(nats::connection& nats,
                                                          const std::string& id,
                                                          const recorded_outcome& outcome) {
    return nats.publish("ferry.outcome." + subject_token(id), encode_outcome(outcome),
                        "outcome:" + id, {{nats::expected_last_subject_seq, "0"}});
}

store::execution_record succeeded(store::execution_record rec, const std::string& error) {
    rec.state = store::execution_state::succeeded;
    rec.error = error;
    rec.finished_ms = 1;
    return rec;
}

/// Finishes the lease's one execution as succeeded, with `mark` as its error text (to tell
/// whose outcome stood).
boost::system::result<finish_report> finish_one(execution_backend& backend,
                                                const execution_lease& lease,
                                                const std::string& mark) {
    const std::vector<store::execution_record> records{succeeded(lease.executions[0].record, mark)};
    execution_output out;
    const std::uint64_t leases[] = {lease.id};
    return backend.finish(leases, records, out);
}

/// Claims until something comes; empty when nothing did in eventually()'s time.
execution_lease next_claim(execution_backend& backend) {
    execution_lease lease;
    (void)test::eventually([&] {
        lease = backend.claim({.max = 10});
        return !lease.empty();
    });
    return lease;
}

/// Deletes the work stream's consumer, which forgets every delivery the way a consumer leader
/// that died before replicating them does; jetstream_harness::another_node() makes it again.
bool forget_deliveries(jetstream_harness& h) {
    const jetstream_settings names;
    return h.nats().publish_plain(
               "$JS.API.CONSUMER.DELETE." + names.runs_stream + "." + names.consumer, "") &&
           test::eventually([&] { return !h.nats().consumer(names.runs_stream, names.consumer); });
}

}  // namespace

// Finished elsewhere first (this process stalled past the ack wait while another ran it): the
// outcome recorded first stands, and this finish is dropped.
TEST(JetStreamBackend, AnOutcomeRecordedElsewhereFirstStands) {
    jetstream_harness h;
    const auto ids = h.enqueue(1);
    const auto lease = h.backend().claim({.max = 1});
    ASSERT_EQ(lease.executions.size(), 1u);
    recorded_outcome elsewhere;
    elsewhere.record = store::encode_execution(succeeded(lease.executions[0].record, "elsewhere"));
    ASSERT_TRUE(record_elsewhere(h.nats(), ids[0], elsewhere));

    const auto done = finish_one(h.backend(), lease, "here");
    ASSERT_TRUE(done) << done.error().message();
    EXPECT_EQ(done->dropped, std::vector<std::string>{ids[0]});
    EXPECT_EQ(h.stored(ids[0]).error, "elsewhere");
    // Its work is done all the same: acknowledged, never claimed again.
    h.restart();
    EXPECT_TRUE(h.backend().claim({.max = 1}).empty());
}

// A node that recorded an outcome and died before acknowledging the work: the redelivery is
// not run again, and what that finish started is queued (once, whoever completes it).
TEST(JetStreamBackend, ARedeliveryWhoseOutcomeIsRecordedIsNotRunAgain) {
    jetstream_harness h;
    const auto ids = h.enqueue(1);
    const auto lease = h.backend().claim({.max = 1});
    ASSERT_EQ(lease.executions.size(), 1u);
    recorded_outcome outcome;
    outcome.record = store::encode_execution(succeeded(lease.executions[0].record, ""));
    const auto child = execution("child-of-" + ids[0], "started by it");
    outcome.started = {encode_run(run_of(child).value())};
    outcome.started_ids = {child.record.id};
    ASSERT_TRUE(record_elsewhere(h.nats(), ids[0], outcome));

    h.restart();  // the lease is given back unfinished: it comes again, its outcome recorded
    const auto again = next_claim(h.backend());
    ASSERT_EQ(again.executions.size(), 1u);
    EXPECT_EQ(again.executions[0].record.id, child.record.id);
    ASSERT_EQ(again.executions[0].documents.size(), 1u);
    EXPECT_EQ(again.executions[0].documents[0].data, "started by it");
    EXPECT_EQ(h.stored(ids[0]).state, store::execution_state::succeeded);
}

// A consumer that forgot a delivery hands the execution out again as a first delivery: what a
// consumer leader that dies before its delivery count is replicated leaves (here the consumer
// is deleted and made again, which forgets the same way). The two holders have one delivery
// number; the first outcome still stands, and the other finish is dropped, not taken for the
// first's own write.
TEST(JetStreamBackend, TwoHoldersOfOneDeliveryNumberFinishOnce) {
    jetstream_harness h;
    const auto ids = h.enqueue(1);
    const auto first = h.backend().claim({.max = 1});
    ASSERT_EQ(first.executions.size(), 1u);

    ASSERT_TRUE(forget_deliveries(h));
    auto other = h.another_node();  // makes the consumer again
    const auto second = next_claim(*other.backend);
    ASSERT_EQ(second.executions.size(), 1u);
    ASSERT_EQ(second.executions[0].record.id, ids[0]);
    EXPECT_EQ(second.executions[0].record.attempts, first.executions[0].record.attempts);

    const auto won = finish_one(h.backend(), first, "first");
    ASSERT_TRUE(won) << won.error().message();
    EXPECT_TRUE(won->dropped.empty());
    const auto lost = finish_one(*other.backend, second, "second");
    ASSERT_TRUE(lost) << lost.error().message();
    EXPECT_EQ(lost->dropped, std::vector<std::string>{ids[0]});
    EXPECT_EQ(h.stored(ids[0]).error, "first");
}

// The same forgotten delivery, handed out again to the process that holds it: the later lease
// has it, and the earlier one, left with nothing, is gone (it used to be kept for ever, its
// count of executions never reaching zero). The earlier finish is dropped, the later stands.
TEST(JetStreamBackend, AnExecutionHandedOutAgainToItsHolderMovesToTheLaterLease) {
    jetstream_harness h;
    const auto ids = h.enqueue(1);
    const auto first = h.backend().claim({.max = 1});
    ASSERT_EQ(first.executions.size(), 1u);

    ASSERT_TRUE(forget_deliveries(h));
    auto other = h.another_node();  // makes the consumer again; this process claims from it
    const auto second = next_claim(h.backend());
    ASSERT_EQ(second.executions.size(), 1u);
    ASSERT_EQ(second.executions[0].record.id, ids[0]);
    EXPECT_NE(second.id, first.id);
    EXPECT_FALSE(h.backend().extend(first.id, 1min)) << "the earlier lease holds nothing now";
    EXPECT_TRUE(h.backend().extend(second.id, 1min));

    const auto lost = finish_one(h.backend(), first, "first");
    ASSERT_TRUE(lost) << lost.error().message();
    EXPECT_EQ(lost->dropped, std::vector<std::string>{ids[0]});
    const auto won = finish_one(h.backend(), second, "second");
    ASSERT_TRUE(won) << won.error().message();
    EXPECT_TRUE(won->dropped.empty());
    EXPECT_EQ(h.stored(ids[0]).error, "second");
    EXPECT_FALSE(h.backend().extend(second.id, 1min)) << "a finished lease is gone";
}

// The finisher whose outcome stood died before queueing what it started, and the execution's
// other holder (which ran it too) loses the race: it queues those runs before its work is
// acknowledged, so that nothing the recorded outcome started is lost with the work.
TEST(JetStreamBackend, AFinishThatLosesQueuesWhatTheWinnerStarted) {
    jetstream_harness h;
    const auto ids = h.enqueue(1);
    const auto lease = h.backend().claim({.max = 1});
    ASSERT_EQ(lease.executions.size(), 1u);
    recorded_outcome winner;
    winner.record = store::encode_execution(succeeded(lease.executions[0].record, "winner"));
    const auto child = execution("child-of-" + ids[0], "started by the winner");
    winner.started = {encode_run(run_of(child).value())};
    winner.started_ids = {child.record.id};
    ASSERT_TRUE(record_elsewhere(h.nats(), ids[0], winner));  // and its finisher died

    const auto done = finish_one(h.backend(), lease, "loser");
    ASSERT_TRUE(done) << done.error().message();
    EXPECT_EQ(done->dropped, std::vector<std::string>{ids[0]});

    const auto next = next_claim(h.backend());
    ASSERT_EQ(next.executions.size(), 1u);
    EXPECT_EQ(next.executions[0].record.id, child.record.id);
    ASSERT_EQ(next.executions[0].documents.size(), 1u);
    EXPECT_EQ(next.executions[0].documents[0].data, "started by the winner");
    EXPECT_EQ(h.stored(ids[0]).error, "winner");
}

// What a finish leaves is recorded with the outcome: step outputs (by the trace), started
// executions (queued, and claimable on any node), dead letters.
TEST(JetStreamBackend, AFinishRecordsWhatTheExecutionLeft) {
    jetstream_harness h;
    const auto ids = h.enqueue(1);
    const auto lease = h.backend().claim({.max = 1});
    ASSERT_EQ(lease.executions.size(), 1u);
    auto rec = succeeded(lease.executions[0].record, "");
    rec.trace.push_back({"s", "message", 1, 1, 0, 5, 6, "", {ids[0] + "-s0-0"}});
    execution_output out;
    out.kept.emplace_back(ids[0] + "-s0-0", store::document{"step output", {}});
    out.started.push_back(execution("started-1", "queued by the finish"));
    out.dead.push_back({ids[0], "orders", 7});
    const std::vector<store::execution_record> records{rec};
    const std::uint64_t leases[] = {lease.id};
    ASSERT_TRUE(h.backend().finish(leases, records, out));

    auto raw = h.nats().last_message("FERRY_RECORDS", "ferry.outcome." + ids[0]);
    ASSERT_TRUE(raw && *raw);
    const auto recorded = decode_outcome((*raw)->data);
    ASSERT_TRUE(recorded);
    ASSERT_EQ(recorded->documents.size(), 2u);  // the request document, the step output
    EXPECT_EQ(recorded->documents[0].first, ids[0] + "-0");
    EXPECT_EQ(store::decode_document(recorded->documents[0].second)->data, "doc of " + ids[0]);
    EXPECT_EQ(recorded->documents[1].first, ids[0] + "-s0-0");
    EXPECT_EQ(store::decode_document(recorded->documents[1].second)->data, "step output");
    EXPECT_EQ(recorded->started_ids, std::vector<std::string>{"started-1"});
    ASSERT_EQ(recorded->dead.size(), 1u);
    EXPECT_EQ(recorded->dead[0].queue, "orders");

    auto other = h.another_node();
    execution_lease started;
    ASSERT_TRUE(test::eventually([&] {
        started = other.backend->claim({.max = 10});
        return !started.empty();
    }));
    ASSERT_EQ(started.executions.size(), 1u);
    EXPECT_EQ(started.executions[0].documents.at(0).data, "queued by the finish");
}

// An execution that keeps dying with its node is given up after max_attempts: claimed with
// the error the executor fails it with.
TEST(JetStreamBackend, AnExecutionOutOfAttemptsIsClaimedToBeFailed) {
    jetstream_harness h;
    (void)h.enqueue(1);
    auto node = h.another_node({.max_attempts = 2});
    for (std::uint32_t attempt = 1; attempt <= 3; ++attempt) {
        execution_lease lease;
        ASSERT_TRUE(test::eventually([&] {
            lease = node.backend->claim({.max = 1});
            return !lease.empty();
        }));
        ASSERT_EQ(lease.executions.size(), 1u);
        EXPECT_EQ(lease.executions[0].record.attempts, attempt);
        EXPECT_EQ(lease.executions[0].error.empty(), attempt <= 2) << attempt;
        node.backend.reset();  // the node dies holding it (its work given back)
        node = h.another_node({.max_attempts = 2});
    }
}

// Sequences reserved by several nodes at once never hand out a value twice.
TEST(JetStreamBackend, SequencesAreUniqueAcrossNodes) {
    jetstream_harness h;
    auto other = h.another_node();
    std::vector<std::uint64_t> first;
    std::vector<std::uint64_t> second;
    std::thread a([&] {
        for (int i = 0; i < 50; ++i)
            first.push_back(h.backend().reserve_sequence("invoice", 3).value());
    });
    std::thread b([&] {
        for (int i = 0; i < 50; ++i)
            second.push_back(other.backend->reserve_sequence("invoice", 3).value());
    });
    a.join();
    b.join();
    std::set<std::uint64_t> values;
    for (const auto* got : {&first, &second}) {
        for (const auto v : *got) {
            for (std::uint64_t k = 0; k < 3; ++k) EXPECT_TRUE(values.insert(v + k).second) << v + k;
        }
    }
    EXPECT_EQ(values.size(), 300u);
    EXPECT_EQ(*values.begin(), 1u);
    EXPECT_EQ(*values.rbegin(), 300u);
}

// Idempotency keys are claimed once for the cluster: the first claim stands, its own repeat
// stands, another node's later claim gets the first; an expired claim is taken over.
TEST(JetStreamBackend, TheFirstClaimOfAKeyStands) {
    jetstream_harness node_a;
    auto node_b = node_a.another_node();
    const auto never = [](std::string_view) { return false; };
    const std::vector<std::pair<std::string, std::string>> mine = {{"idem/op/k1", "from a"},
                                                                   {"idem/op/k2", "from a"}};
    const auto first = node_a.jetstream().claim_answers(mine, never).value();
    EXPECT_EQ(first, (std::vector<std::optional<std::string>>{std::nullopt, std::nullopt}));
    EXPECT_EQ(node_a.jetstream().claim_answers(mine, never).value(), first);  // published again

    const std::vector<std::pair<std::string, std::string>> theirs = {{"idem/op/k1", "from b"},
                                                                     {"idem/op/k3", "from b"}};
    EXPECT_EQ(node_b.backend->claim_answers(theirs, never).value(),
              (std::vector<std::optional<std::string>>{"from a", std::nullopt}));
    EXPECT_EQ(node_b.backend->answer("idem/op/k1").value(), "from a");

    const auto expired = [](std::string_view earlier) { return earlier == "from a"; };
    EXPECT_EQ(node_b.backend->claim_answers(theirs, expired).value(),
              (std::vector<std::optional<std::string>>{std::nullopt, std::nullopt}));
    EXPECT_EQ(node_a.jetstream().answer("idem/op/k1").value(), "from b");
    EXPECT_EQ(node_a.jetstream().answer("idem/op/none").value(), std::nullopt);
}

// Two nodes claim and finish from a replicated (R3) stream on three servers; the server
// leading the work stream is killed (-9) halfway. Every execution is recorded exactly once:
// nothing lost, nothing finished twice.
TEST(JetStreamBackendOnACluster, TwoNodesLoseNothingWhenTheStreamLeaderDies) {
    test::nats_cluster cluster;
    const jetstream_settings settings{.replicas = 3, .ack_wait = 5s};
    struct node {
        std::unique_ptr<nats::connection> nats;
        std::unique_ptr<jetstream_backend> backend;
    };
    std::vector<node> nodes(2);
    for (auto& n : nodes) {
        n.nats = nats::connection::open(connect_to(cluster.urls())).value();
        auto opened = jetstream_backend::open(*n.nats, settings, 60s);
        ASSERT_TRUE(opened) << opened.error().message();
        n.backend = std::move(*opened);
    }
    constexpr int count = 300;
    std::vector<store::new_execution> batch;
    for (int i = 0; i < count; ++i) batch.push_back(execution("e" + std::to_string(i), "doc"));
    ASSERT_TRUE(nodes[0].backend->enqueue(batch));

    std::mutex mutex;
    std::map<std::string, int> finished;  // finishes that were not dropped, per execution
    std::atomic<int> done{0};
    std::atomic<bool> give_up{false};
    std::vector<std::thread> runners;
    for (auto& n : nodes) {
        runners.emplace_back([&, backend = n.backend.get()] {
            while (done.load() < count && !give_up) {
                auto lease = backend->claim({.max = 8});
                if (lease.empty()) {
                    std::this_thread::sleep_for(5ms);
                    continue;
                }
                std::vector<store::execution_record> records;
                for (const auto& e : lease.executions) records.push_back(succeeded(e.record, ""));
                const std::uint64_t leases[] = {lease.id};
                // As an executor loop does: a finish the cluster did not take is written again.
                boost::system::result<finish_report> report;
                do {
                    execution_output out;
                    report = backend->finish(leases, records, out, nullptr);
                } while (!report && !give_up);
                if (!report) return;
                std::lock_guard lock(mutex);
                for (const auto& rec : records) {
                    if (std::find(report->dropped.begin(), report->dropped.end(), rec.id) !=
                        report->dropped.end()) {
                        continue;
                    }
                    if (++finished[rec.id] == 1) ++done;
                }
            }
        });
    }
    ASSERT_TRUE(test::eventually([&] { return done.load() >= count / 3; }, 60s));
    const auto leader = nodes[0].nats->stream("FERRY_RUNS");
    ASSERT_TRUE(leader && !leader->leader.empty());
    cluster.kill9(cluster.index_of(leader->leader));
    const bool all = test::eventually([&] { return done.load() >= count; }, 90s);
    give_up = true;
    for (auto& r : runners) r.join();
    ASSERT_TRUE(all) << done.load() << " of " << count << " finished";
    for (const auto& [id, times] : finished) EXPECT_EQ(times, 1) << id;
    for (int i = 0; i < count; ++i) {
        const auto id = "e" + std::to_string(i);
        boost::system::result<std::optional<store::execution_record>> rec;
        ASSERT_TRUE(test::eventually([&] {
            rec = nodes[1].backend->outcome(id);
            return rec.has_value();
        }));
        ASSERT_TRUE(*rec) << id << " has no outcome";
        EXPECT_EQ((*rec)->state, store::execution_state::succeeded) << id;
    }
}

namespace {

/// A registry whose processes listen on queue `queue` (those in `paused` paused).
std::shared_ptr<registry> listening(const std::string& queue, const std::vector<std::string>& names,
                                    const std::vector<std::string>& paused = {}) {
    auto r = std::make_shared<registry>();
    for (const auto& name : names) {
        auto p = std::make_shared<process>();
        p->name = name;
        p->version = 3;
        p->listen.queue = queue;
        EXPECT_TRUE(r->add(p));
    }
    for (const auto& name : paused) r->set_paused(name, true);
    return r;
}

/// Claims until `expected` executions were claimed (or 10 s passed), by process.
std::map<std::string, std::vector<claimed_execution>> claim_all(execution_backend& backend,
                                                                std::size_t expected) {
    std::map<std::string, std::vector<claimed_execution>> out;
    std::size_t got = 0;
    (void)test::eventually([&] {
        auto lease = backend.claim({.max = 16});
        for (auto& c : lease.executions) {
            ++got;
            out[c.record.process].push_back(std::move(c));
        }
        return got >= expected;
    });
    return out;
}

}  // namespace

// A queue message nobody listens for waits in the parked stream, counted by queue and never
// claimable, until a process listens: then it runs once, on the listener (a point-to-point
// message on one of them, taking turns; a published one on every listener, a copy each).
TEST(ParkedMessages, WaitForAListenerAndAreReleasedOnce) {
    jetstream_harness h;
    auto message = [](const std::string& id, bool publish) {
        auto e = execution(id, "parcel " + id);
        e.record.process.clear();
        e.record.process_props = {{"queue", "parcels.eu"}, {"queue_delivery", "1"}};
        if (publish) e.record.process_props["queue_publish"] = "true";
        e.parked_on = "parcels.eu";
        return e;
    };
    const std::vector<store::new_execution> sent{message("m1", false), message("m2", false),
                                                 message("m3", true)};
    ASSERT_TRUE(h.jetstream().enqueue(sent));
    ASSERT_TRUE(h.jetstream().enqueue(sent));  // the same ids again: parked once
    parked_messages parked(h.nats(), jetstream_settings{});
    EXPECT_EQ(parked.counts().value(), (std::map<std::string, std::uint64_t>{{"parcels.eu", 3}}));
    EXPECT_TRUE(h.backend().claim({.max = 16}).empty());

    // Nobody listens, or only a paused listener: they stay.
    EXPECT_EQ(parked.release(*listening("other", {"a"})).value(), 0u);
    EXPECT_EQ(parked.release(*listening("parcels.eu", {"a"}, {"a"})).value(), 0u);
    EXPECT_EQ(parked.counts().value().at("parcels.eu"), 3u);

    EXPECT_EQ(parked.release(*listening("parcels.eu", {"a", "b"})).value(), 3u);
    EXPECT_TRUE(parked.counts().value().empty());
    EXPECT_EQ(parked.release(*listening("parcels.eu", {"a", "b"})).value(), 0u);
    auto claimed = claim_all(h.backend(), 4);
    std::map<std::string, std::vector<std::string>> ran;  // document -> processes
    for (const auto& [name, list] : claimed) {
        for (const auto& c : list) {
            EXPECT_EQ(c.record.process_version, 3u);
            EXPECT_EQ(c.record.process_props.at("queue"), "parcels.eu");
            ran[c.documents.at(0).data].push_back(name);
        }
    }
    // m1 and m2 once each, on different listeners (turns); m3 on both, a copy each.
    EXPECT_EQ(ran["parcel m1"].size(), 1u);
    EXPECT_EQ(ran["parcel m2"].size(), 1u);
    EXPECT_NE(ran["parcel m1"], ran["parcel m2"]);
    EXPECT_EQ(ran["parcel m3"], (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(claimed["a"].size() + claimed["b"].size(), 4u);
    EXPECT_TRUE(h.backend().claim({.max = 16}).empty());
}

}  // namespace ferry::engine::cluster

namespace ferry::engine::conformance {
INSTANTIATE_TYPED_TEST_SUITE_P(JetStream, ExecutionBackendConformance, cluster::jetstream_harness);
}  // namespace ferry::engine::conformance
