#pragma once

// What every execution backend (engine/execute/execution_backend.hpp) must do, as one typed
// test suite. An implementation instantiates it with a harness:
//
//   struct my_harness {
//       execution_backend& backend();
//       std::vector<std::string> enqueue(int count);  // queued executions, one document each
//       store::execution_record stored(const std::string& id);  // as the backend keeps it
//       void restart();  // the backend as a new process opens it (same durable state)
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(Mine, ExecutionBackendConformance, my_harness);
//
// Each execution's one document is "doc of <id>".

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "execute/execution_backend.hpp"
#include "support/eventually.hpp"

namespace ferry::engine::conformance {

using namespace std::chrono_literals;

template <class Harness>
class ExecutionBackendConformance : public ::testing::Test {
protected:
    execution_backend& backend() { return harness_.backend(); }

    static claim_request take(std::size_t max, std::chrono::milliseconds lease_for = 0ms) {
        claim_request r;
        r.claimer = 0;
        r.max = max;
        r.lease_for = lease_for;
        return r;
    }

    static std::vector<std::string> ids_of(const execution_lease& lease) {
        std::vector<std::string> ids;
        for (const auto& e : lease.executions) ids.push_back(e.record.id);
        return ids;
    }

    /// Finishes every execution of `lease` as succeeded, with `marker` as its error text (so
    /// that a test can tell which finish was stored).
    boost::system::result<finish_report> succeed(const execution_lease& lease,
                                                 const std::string& marker = "",
                                                 const claim_request* then_claim = nullptr) {
        std::vector<store::execution_record> records;
        for (const auto& e : lease.executions) {
            auto rec = e.record;
            rec.state = store::execution_state::succeeded;
            rec.error = marker;
            rec.finished_ms = 1;
            records.push_back(std::move(rec));
        }
        execution_output out;
        const std::uint64_t ids[] = {lease.id};
        return backend().finish(ids, records, out, then_claim);
    }

    Harness harness_;
};

TYPED_TEST_SUITE_P(ExecutionBackendConformance);

// Every queued execution is claimed once, with its record and documents, attempt counted.
TYPED_TEST_P(ExecutionBackendConformance, ClaimTakesEachExecutionOnceReadyToRun) {
    const auto queued = this->harness_.enqueue(5);
    const auto first = this->backend().claim(this->take(3));
    const auto second = this->backend().claim(this->take(10));
    ASSERT_EQ(first.executions.size(), 3u);
    ASSERT_EQ(second.executions.size(), 2u);
    EXPECT_NE(first.id, second.id);
    EXPECT_TRUE(this->backend().claim(this->take(10)).empty());
    std::set<std::string> claimed;
    for (const auto* lease : {&first, &second}) {
        for (const auto& e : lease->executions) {
            EXPECT_TRUE(e.error.empty()) << e.error;
            EXPECT_EQ(e.record.attempts, 1u);
            EXPECT_EQ(e.record.state, store::execution_state::running);
            ASSERT_EQ(e.documents.size(), 1u);
            EXPECT_EQ(e.documents[0].data, "doc of " + e.record.id);
            EXPECT_FALSE(e.in_memory());
            claimed.insert(e.record.id);
        }
    }
    EXPECT_EQ(claimed, std::set<std::string>(queued.begin(), queued.end()));
}

// finish() stores the outcome and removes the work in one step: nothing runs again, not even
// after a restart.
TYPED_TEST_P(ExecutionBackendConformance, FinishStoresTheOutcomeAndRemovesTheWork) {
    const auto queued = this->harness_.enqueue(3);
    const auto lease = this->backend().claim(this->take(3));
    ASSERT_EQ(lease.executions.size(), 3u);
    const auto done = this->succeed(lease);
    ASSERT_TRUE(done) << done.error().message();
    EXPECT_TRUE(done->dropped.empty());
    for (const auto& id : queued) {
        EXPECT_EQ(this->harness_.stored(id).state, store::execution_state::succeeded) << id;
    }
    EXPECT_TRUE(this->backend().claim(this->take(10)).empty());
    this->harness_.restart();
    EXPECT_TRUE(this->backend().claim(this->take(10)).empty());
    for (const auto& id : queued) {
        EXPECT_EQ(this->harness_.stored(id).state, store::execution_state::succeeded) << id;
    }
}

// Work claimed but never finished is not lost: a restart hands it out again, attempt counted.
TYPED_TEST_P(ExecutionBackendConformance, UnfinishedWorkRunsAgainAfterARestart) {
    const auto queued = this->harness_.enqueue(2);
    const auto lease = this->backend().claim(this->take(2));
    ASSERT_EQ(lease.executions.size(), 2u);
    this->harness_.restart();
    const auto again = this->backend().claim(this->take(10));
    ASSERT_EQ(again.executions.size(), 2u);
    for (const auto& e : again.executions) {
        EXPECT_TRUE(e.error.empty()) << e.error;
        EXPECT_EQ(e.record.attempts, 2u) << e.record.id;
    }
}

// An expired lease gives its executions back: claimed again, their lost attempt counted.
TYPED_TEST_P(ExecutionBackendConformance, AnExpiredLeaseRedelivers) {
    const auto queued = this->harness_.enqueue(1);
    const auto lease = this->backend().claim(this->take(1, 100ms));
    ASSERT_EQ(lease.executions.size(), 1u);
    execution_lease again;
    ASSERT_TRUE(test::eventually([&] {
        again = this->backend().claim(this->take(1));
        return !again.empty();
    }));
    ASSERT_EQ(again.executions.size(), 1u);
    EXPECT_EQ(again.executions[0].record.id, queued[0]);
    EXPECT_EQ(again.executions[0].record.attempts, 2u);
}

// An extended lease is kept past its first expiry.
TYPED_TEST_P(ExecutionBackendConformance, AnExtendedLeaseIsKept) {
    this->harness_.enqueue(1);
    const auto lease = this->backend().claim(this->take(1, 150ms));
    ASSERT_EQ(lease.executions.size(), 1u);
    EXPECT_TRUE(this->backend().extend(lease.id, 60s));
    // Three times the first lease: had the extension not held, it would have expired.
    std::this_thread::sleep_for(450ms);
    EXPECT_TRUE(this->backend().claim(this->take(1)).empty());
    const auto done = this->succeed(lease);
    ASSERT_TRUE(done);
    EXPECT_TRUE(done->dropped.empty());
}

// Once a lease was lost, its holder's finish is dropped: the execution is finished once, by
// whoever holds it now.
TYPED_TEST_P(ExecutionBackendConformance, NothingIsFinishedTwice) {
    const auto queued = this->harness_.enqueue(1);
    const auto lost = this->backend().claim(this->take(1, 50ms));
    ASSERT_EQ(lost.executions.size(), 1u);
    execution_lease current;
    ASSERT_TRUE(test::eventually([&] {
        current = this->backend().claim(this->take(1));
        return !current.empty();
    }));
    EXPECT_FALSE(this->backend().extend(lost.id, 60s));
    const auto late = this->succeed(lost, "late");
    ASSERT_TRUE(late);
    EXPECT_EQ(late->dropped, std::vector<std::string>{queued[0]});
    const auto done = this->succeed(current, "current");
    ASSERT_TRUE(done);
    EXPECT_TRUE(done->dropped.empty());
    EXPECT_EQ(this->harness_.stored(queued[0]).error, "current");
    EXPECT_TRUE(this->backend().claim(this->take(1)).empty());
}

// release() gives work back to be claimed again once the delay has passed.
TYPED_TEST_P(ExecutionBackendConformance, ReleaseRedeliversAfterItsDelay) {
    const auto queued = this->harness_.enqueue(1);
    const auto lease = this->backend().claim(this->take(1));
    ASSERT_EQ(lease.executions.size(), 1u);
    const auto released = std::chrono::steady_clock::now();
    this->backend().release(lease.id, 300ms);
    EXPECT_TRUE(this->backend().claim(this->take(1)).empty());
    execution_lease again;
    ASSERT_TRUE(test::eventually([&] {
        again = this->backend().claim(this->take(1));
        return !again.empty();
    }));
    EXPECT_GE(std::chrono::steady_clock::now() - released, 300ms);
    ASSERT_EQ(again.executions.size(), 1u);
    EXPECT_EQ(again.executions[0].record.id, queued[0]);
    EXPECT_EQ(again.executions[0].record.attempts, 2u);
}

// finish() can claim the claimer's next batch in the same step.
TYPED_TEST_P(ExecutionBackendConformance, FinishCanClaimTheNextBatch) {
    const auto queued = this->harness_.enqueue(4);
    const auto lease = this->backend().claim(this->take(2));
    ASSERT_EQ(lease.executions.size(), 2u);
    const auto next_request = this->take(2);
    const auto done = this->succeed(lease, "", &next_request);
    ASSERT_TRUE(done);
    ASSERT_EQ(done->next.executions.size(), 2u);
    auto all = this->ids_of(lease);
    const auto next = this->ids_of(done->next);
    all.insert(all.end(), next.begin(), next.end());
    std::sort(all.begin(), all.end());
    auto expected = queued;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(all, expected);
    ASSERT_TRUE(this->succeed(done->next));
    EXPECT_TRUE(this->backend().claim(this->take(10)).empty());
}

// Executions of one lease finish on their own (an executor loop finishes each as it ends, while
// others of its claim still wait on partners): the rest stay held, and the lease ends with its
// last one. Unfinished ones run again after a restart; finished ones never do.
TYPED_TEST_P(ExecutionBackendConformance, EachExecutionOfALeaseFinishesOnItsOwn) {
    const auto queued = this->harness_.enqueue(3);
    const auto lease = this->backend().claim(this->take(3));
    ASSERT_EQ(lease.executions.size(), 3u);
    execution_lease first_only = lease;
    first_only.executions.resize(1);
    const auto done = this->succeed(first_only);
    ASSERT_TRUE(done) << done.error().message();
    EXPECT_TRUE(done->dropped.empty());
    const auto finished_id = first_only.executions[0].record.id;
    EXPECT_EQ(this->harness_.stored(finished_id).state, store::execution_state::succeeded);
    // The other two are still held: nobody else claims them.
    EXPECT_TRUE(this->backend().claim(this->take(10)).empty());

    this->harness_.restart();
    const auto again = this->backend().claim(this->take(10));
    auto again_ids = this->ids_of(again);
    std::sort(again_ids.begin(), again_ids.end());
    auto unfinished = this->ids_of(lease);
    unfinished.erase(std::find(unfinished.begin(), unfinished.end(), finished_id));
    std::sort(unfinished.begin(), unfinished.end());
    EXPECT_EQ(again_ids, unfinished);
    for (const auto& e : again.executions) EXPECT_EQ(e.record.attempts, 2u) << e.record.id;
    ASSERT_TRUE(this->succeed(again));
    EXPECT_TRUE(this->backend().claim(this->take(10)).empty());
    for (const auto& id : queued) {
        EXPECT_EQ(this->harness_.stored(id).state, store::execution_state::succeeded) << id;
    }
}

// The rest of a lease finishes in later calls, one at a time; then the lease is gone (a
// second finish of the same executions is dropped).
TYPED_TEST_P(ExecutionBackendConformance, ALeaseEndsWithItsLastExecution) {
    (void)this->harness_.enqueue(2);
    const auto lease = this->backend().claim(this->take(2));
    ASSERT_EQ(lease.executions.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        execution_lease one = lease;
        one.executions = {lease.executions[i]};
        const auto done = this->succeed(one);
        ASSERT_TRUE(done) << done.error().message();
        EXPECT_TRUE(done->dropped.empty()) << i;
    }
    const auto late = this->succeed(lease, "late");
    ASSERT_TRUE(late);
    EXPECT_EQ(late->dropped.size(), 2u);
    for (const auto& e : lease.executions) {
        EXPECT_EQ(this->harness_.stored(e.record.id).error, "") << "stored twice";
    }
}

// Several claimers wait for the new-work signal (an executor loop per thread, the dispatcher):
// each is called until it stops listening.
TYPED_TEST_P(ExecutionBackendConformance, EveryListenerHearsOfNewWorkUntilItStops) {
    std::atomic<int> first{0};
    std::atomic<int> second{0};
    const auto first_id = this->backend().on_new_work([&] { ++first; });
    const auto second_id = this->backend().on_new_work([&] { ++second; });
    (void)this->harness_.enqueue(1);
    EXPECT_TRUE(test::eventually([&] { return first.load() >= 1 && second.load() >= 1; }));
    this->backend().stop_signalling(first_id);
    const int first_before = first.load();
    const int second_before = second.load();
    (void)this->harness_.enqueue(1);
    EXPECT_TRUE(test::eventually([&] { return second.load() > second_before; }));
    EXPECT_EQ(first.load(), first_before);
    this->backend().stop_signalling(second_id);
}

// A claim that waits returns when work arrives (and the new-work signal fires), or empty when
// the backend stops.
TYPED_TEST_P(ExecutionBackendConformance, AWaitingClaimWakesForWorkAndForStop) {
    std::atomic<int> signals{0};
    const auto listening = this->backend().on_new_work([&] { ++signals; });
    auto request = this->take(4);
    request.wait = true;
    std::atomic<bool> returned{false};
    execution_lease got;
    std::thread waiter([&] {
        got = this->backend().claim(request);
        returned = true;
    });
    const auto queued = this->harness_.enqueue(1);
    ASSERT_TRUE(test::eventually([&] { return returned.load(); }));
    waiter.join();
    EXPECT_EQ(this->ids_of(got), queued);
    EXPECT_GE(signals.load(), 1);
    ASSERT_TRUE(this->succeed(got));

    returned = false;
    std::thread stopped([&] {
        got = this->backend().claim(request);
        returned = true;
    });
    std::this_thread::sleep_for(50ms);  // let it wait: stop() must end the wait itself
    EXPECT_FALSE(returned.load());
    this->backend().stop();
    ASSERT_TRUE(test::eventually([&] { return returned.load(); }));
    stopped.join();
    EXPECT_TRUE(got.empty());
    this->backend().stop_signalling(listening);
}

// Claimers on several threads, some losing their leases on the way: every execution is
// finished exactly once and nothing is lost.
TYPED_TEST_P(ExecutionBackendConformance, ConcurrentClaimersLoseNothingAndFinishNothingTwice) {
    constexpr int count = 400;
    const auto queued = this->harness_.enqueue(count);
    std::mutex mutex;
    std::map<std::string, int> finished;  // stored finishes per execution
    std::atomic<int> done{0};
    std::vector<std::thread> claimers;
    for (int t = 0; t < 4; ++t) {
        claimers.emplace_back([&, t] {
            int round = 0;
            while (done.load() < count) {
                auto request = this->take(8, 200ms);
                request.claimer = static_cast<std::uint32_t>(t);
                auto lease = this->backend().claim(request);
                if (lease.empty()) {
                    std::this_thread::sleep_for(1ms);
                    continue;
                }
                // Every fifth lease of one claimer is abandoned: it must expire and come back.
                if (t == 0 && ++round % 5 == 0) continue;
                const auto report = this->succeed(lease);
                ASSERT_TRUE(report);
                std::lock_guard lock(mutex);
                for (const auto& id : this->ids_of(lease)) {
                    if (std::find(report->dropped.begin(), report->dropped.end(), id) !=
                        report->dropped.end()) {
                        continue;
                    }
                    if (++finished[id] == 1) ++done;
                }
            }
        });
    }
    for (auto& c : claimers) c.join();
    ASSERT_EQ(finished.size(), static_cast<std::size_t>(count));
    for (const auto& [id, times] : finished) EXPECT_EQ(times, 1) << id;
    for (const auto& id : queued) {
        EXPECT_EQ(this->harness_.stored(id).state, store::execution_state::succeeded) << id;
    }
    EXPECT_TRUE(this->backend().claim(this->take(10)).empty());
}

REGISTER_TYPED_TEST_SUITE_P(ExecutionBackendConformance, ClaimTakesEachExecutionOnceReadyToRun,
                            FinishStoresTheOutcomeAndRemovesTheWork,
                            UnfinishedWorkRunsAgainAfterARestart, AnExpiredLeaseRedelivers,
                            AnExtendedLeaseIsKept, NothingIsFinishedTwice,
                            ReleaseRedeliversAfterItsDelay, FinishCanClaimTheNextBatch,
                            EachExecutionOfALeaseFinishesOnItsOwn, ALeaseEndsWithItsLastExecution,
                            EveryListenerHearsOfNewWorkUntilItStops,
                            AWaitingClaimWakesForWorkAndForStop,
                            ConcurrentClaimersLoseNothingAndFinishNothingTwice);

}  // namespace ferry::engine::conformance
