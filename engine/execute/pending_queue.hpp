#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include "execute/execution_backend.hpp"
#include "ferry/store/store.hpp"

namespace ferry::engine {

/// The embedded execution backend: the durable pending queue in RocksDB *is* the queue; this
/// keeps a cursor into it and a bounded buffer in memory:
///
/// - freshly committed executions arrive from the intake with their documents (notify()) and
///   are claimed without being read back from the store, as long as the executors keep up;
/// - when they fall behind (buffer full) or after a restart, claims read the pending queue from
///   the cursor on, so a backlog of any size costs no memory, and on start the cursor begins
///   at zero, which picks up every execution that was queued or running when the server last
///   stopped (SPEC §4, restart).
///
/// Leases live in memory: a lost process loses its leases with it, and the pending entries
/// stay. What each claimer runs is noted in the store (store::record_running), so that start()
/// counts an attempt for every execution a crash interrupted. low_latency executions
/// (run_in_memory()) are claimed first and never stored.
class pending_queue final : public execution_backend {
public:
    struct settings {
        std::uint32_t max_attempts = 5;    // an execution that kept crashing the server is failed
        std::size_t handoff_limit = 4096;  // executions held in memory, handed over by the intake
    };

    pending_queue(store::store& db, settings s) : db_(db), settings_(s) {}

    /// Counts the attempts of executions interrupted by the previous stop (before any claim).
    void start();
    /// Pending entries up to `committed_seq` exist. `fresh`, when given, holds exactly the
    /// executions committed since the previous notify(), in seq order.
    void notify(std::uint64_t committed_seq, std::vector<store::new_execution> fresh = {});
    /// Queues a low_latency execution in memory. False when stopping or already holding
    /// handoff_limit of them (back pressure).
    bool run_in_memory(store::new_execution execution);
    /// When the execution is claimed now, the time it started (ms since the epoch).
    std::optional<std::int64_t> running_since(const std::string& execution_id) const;
    /// Stored executions claimed now.
    std::size_t running() const;
    /// Executions committed but not yet claimed (the queue depth).
    std::uint64_t backlog() const;
    /// Where redeliveries of failed queue messages go once stored (they wait for their time
    /// there). Set before start().
    void on_delayed(std::function<void(const std::vector<store::waiting_entry>&)> sink) {
        on_delayed_ = std::move(sink);
    }

    execution_lease claim(const claim_request& request) override;
    bool extend(std::uint64_t lease, std::chrono::milliseconds lease_for) override;
    boost::system::result<finish_report> finish(std::span<const std::uint64_t> leases,
                                                std::span<const store::execution_record> records,
                                                execution_output& out,
                                                const claim_request* then_claim) override;
    void release(std::uint64_t lease, std::chrono::milliseconds delay) override;
    std::uint64_t on_new_work(std::function<void()> signal) override;
    void stop_signalling(std::uint64_t id) override;
    void keep_answers(kept_answers& answers) override;
    boost::system::result<std::uint64_t> reserve_sequence(std::string_view name,
                                                          std::uint64_t count) override;
    void stop() override;

private:
    using steady = std::chrono::steady_clock;

    /// A pending entry, with its record and documents when the intake handed them over.
    struct work_item {
        std::uint64_t seq = 0;  // 0: a low_latency execution, in memory
        std::string execution_id;
        std::optional<store::new_execution> loaded;
        std::uint32_t attempts = 0;  // counted in memory: claims whose lease was lost
        steady::time_point not_before{};
    };
    /// What a lease holds: enough to give its executions back.
    struct held {
        std::uint64_t seq = 0;
        std::string execution_id;
        std::uint32_t attempts = 0;
        std::optional<store::execution_record> in_memory;  // kept to fail it if the lease is lost
    };
    struct lease_state {
        std::uint32_t claimer = 0;
        bool noted = true;  // what it holds is in its claimer's running note
        std::optional<steady::time_point> expires;
        std::vector<held> executions;
    };

    std::vector<work_item> take_locked(std::unique_lock<std::mutex>& lock, std::size_t max,
                                       bool wait);
    /// Registers a lease for `items`, claimed now; returns its id.
    std::uint64_t open_lease_locked(const claim_request& request,
                                    const std::vector<work_item>& items, std::int64_t started);
    void expire_locked(steady::time_point now);
    void give_back_locked(lease_state& l, steady::time_point not_before);
    std::vector<std::uint64_t> claimed_seqs_locked(std::uint32_t claimer) const;
    /// The claimed executions with their records (decoded, or in their stored form) and
    /// documents, read from the store together.
    std::vector<claimed_execution> prepare(std::vector<work_item>& items, std::int64_t now,
                                           bool stored_form) const;
    /// After the finishing write: makes what the executions started durable and runnable.
    void queue_started(std::span<const store::new_execution> started);
    void signal_work();

    store::store& db_;
    const settings settings_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<work_item> buffer_;
    std::deque<work_item> again_;  // given back (released, or a lease lost): claimed first
    std::deque<store::new_execution> in_memory_;  // low_latency executions waiting to run
    std::uint64_t cursor_ = 0;                    // next seq to read from the pending queue
    std::uint64_t known_seq_ = 0;                 // highest seq known to be committed
    bool stopping_ = false;
    std::uint64_t next_lease_ = 0;
    std::unordered_map<std::uint64_t, lease_state> leases_;
    std::unordered_map<std::string, std::int64_t> running_;  // execution id -> started at
    std::set<std::uint32_t> unnoted_;  // claimers whose note a release changed
    /// Claimed executions whose record does not decode (prepare), by id, with why: their
    /// finish sets them aside (store::set_aside_damaged) instead of writing a record over
    /// bytes nobody could read.
    mutable std::unordered_map<std::string, std::string> damaged_;
    // Copied on write: signal_work() takes the current list without copying the functions.
    using work_signals = std::vector<std::pair<std::uint64_t, std::function<void()>>>;
    std::shared_ptr<const work_signals> work_signals_ = std::make_shared<work_signals>();
    std::uint64_t next_signal_ = 0;
    std::function<void(const std::vector<store::waiting_entry>&)> on_delayed_;
    std::atomic<std::int64_t> next_answer_sweep_ms_{0};
};

}  // namespace ferry::engine
