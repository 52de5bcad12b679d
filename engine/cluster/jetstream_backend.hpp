#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "cluster/cluster_messages.hpp"
#include "execute/execution_backend.hpp"
#include "ferry/engine/cluster/jetstream_settings.hpp"
#include "ferry/nats/connection.hpp"
#include "ferry/nats/pull_consumer.hpp"
#include "ferry/nats/subscription.hpp"
#include "ferry/threads/service_thread.hpp"

namespace ferry::engine::cluster {

/// The execution backend of cluster mode, on NATS JetStream: claim = fetch from the shared
/// pull consumer, a lease's clock runs here (an expired lease is nak'ed at once, so that
/// another claimer takes its executions), held work is heartbeated (in-progress), finish =
/// the outcome published create-only on the execution's own subject, then the work
/// acknowledged, release = nak with the delay.
///
/// The create-only outcome is the fence: JetStream accepts an acknowledgement of an older
/// delivery, so two processes that both ran an execution (one stalled past the ack wait) are
/// told apart by which outcome the stream took first; the other's is dropped. A redelivered
/// execution whose outcome is already recorded is not run again: its finish is completed (what
/// it started is published again, same message ids) and its work acknowledged.
///
/// Concurrency: every member is thread-safe. One thread of its own keeps the lease clocks.
/// Whether a conditional write failed because another node wrote first (the expected last
/// sequence moved on), which callers treat as "someone else did it" rather than an error.
bool lost_race(const boost::system::error_code& e);

class jetstream_backend final : public execution_backend {
public:
    /// Creates the streams and the consumer unless they exist (waiting up to `patience` for a
    /// cluster that is still electing its leaders).
    static boost::system::result<std::unique_ptr<jetstream_backend>> open(
        nats::connection& nats, jetstream_settings settings,
        std::chrono::milliseconds patience = std::chrono::seconds(30));
    /// Gives back what it still holds (nak, no delay): another process runs it at once.
    ~jetstream_backend() override;

    /// Queues whole new executions (each with every document it lists), acknowledged by the
    /// stream (a majority of its replicas) when this returns. A repeat within the duplicate
    /// window (same execution id) is not queued twice; `again` (an outbox's republish) makes
    /// the claim look for a recorded outcome first, for repeats outside it.
    boost::system::result<void> enqueue(std::span<const store::new_execution> executions,
                                        bool again = false);
    /// Claims answer keys for the whole cluster (an ingress node's idempotency keys): each
    /// written create-only on its answer subject. Per claim: nullopt when this one stands
    /// (written now, or these very bytes were there: a republish of its own), else the value
    /// that was there first. An earlier value `replaceable` says may go (an expired claim) is
    /// overwritten, compare-and-set. An error when the cluster did not answer for every claim.
    boost::system::result<std::vector<std::optional<std::string>>> claim_answers(
        std::span<const std::pair<std::string, std::string>> claims,
        const std::function<bool(std::string_view earlier)>& replaceable);
    /// The answer kept under `key` (kept_answers, claim_answers); nullopt when there is none.
    boost::system::result<std::optional<std::string>> answer(const std::string& key);
    /// Whether the work stream lost messages since the last call: it holds fewer than it
    /// numbered before (a cluster that lost its unflushed tail, a stream wiped), or numbered a
    /// new message as one before. Asks the cluster; an outbox is published again then.
    bool work_was_lost();
    /// The recorded outcome of an execution; nullopt while it has none.
    boost::system::result<std::optional<store::execution_record>> outcome(const std::string& id);

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
    using clock = std::chrono::steady_clock;

    /// A claimed execution's message, held until finished, released or its lease expires.
    struct held_run {
        nats::message message;
        std::uint64_t lease = 0;
        bool finishing = false;  // its finish is being written: the clock leaves it alone
    };
    struct lease_state {
        clock::time_point expires = clock::time_point::max();  // max: until finished
        std::size_t executions = 0;
    };

    jetstream_backend(nats::connection& nats, jetstream_settings settings);
    boost::system::result<void> start(std::chrono::milliseconds patience);

    std::string subject(std::string_view kind, std::string_view name) const;
    /// A claim's messages as executions (those that need not run are settled here).
    execution_lease take(std::vector<nats::message> messages, const claim_request& request);
    /// Holds a claimed message for `lease` (under mutex_). False when it is not handed out:
    /// this process is writing its finish already.
    bool hold(std::uint64_t seq, nats::message& message, std::uint64_t lease);
    /// A redelivered execution whose outcome is recorded: completes that finish and
    /// acknowledges the work. False when it has no outcome (it runs).
    bool settled_before(nats::message& message, const std::string& id);
    /// Queues again what a recorded outcome started (same message ids: each once), for a
    /// finisher that died between its outcome and its queue sends.
    boost::system::result<void> queue_started_by(const nats::stored_message& outcome);
    /// Writes kept answers (replies, pages) under "<prefix>.answer.<key>", all acknowledged.
    boost::system::result<void> publish_answers(const kept_answers& answers);
    /// Where a run waits: in the parked stream (for a listener), the delayed stream (a
    /// redelivery not due yet, delayed_runs.hpp) or the work stream.
    std::string waiting_subject(const queued_run& run) const;
    /// Publishes runs (encode_run()'s bytes) under their execution ids, each on its subject.
    boost::system::result<void> publish_runs(const std::vector<std::string>& ids,
                                             const std::vector<std::string>& runs,
                                             const std::vector<std::string>& subjects, bool again);
    void keep_leases(std::stop_token stop);
    /// A message of the work stream numbered `seq` was written, after `seen_before` was the
    /// highest number seen (work_was_lost()).
    void note_runs_seq(std::uint64_t seq, std::uint64_t seen_before);
    void signal_new_work();

    nats::connection& nats_;
    const jetstream_settings settings_;
    // This backend's own, random: an outcome's message id names its holder (this backend and
    // the lease), never only the delivery, whose count a new consumer leader may start again.
    const std::string holder_;
    std::unique_ptr<nats::pull_consumer> consumer_;
    std::mutex consumer_mutex_;  // one fetch at a time
    std::unique_ptr<nats::subscription> work_hints_;
    std::chrono::milliseconds ack_wait_{};  // the consumer's, as the server has it

    std::mutex mutex_;  // guards what follows
    std::condition_variable_any keeper_wakeup_;
    std::unordered_map<std::uint64_t, held_run> held_;  // by stream sequence (pending_seq)
    std::unordered_map<std::uint64_t, lease_state> leases_;
    std::uint64_t next_lease_ = 1;
    clock::time_point next_heartbeat_;
    std::vector<clock::time_point> signal_at_;  // released work comes back then

    std::mutex listeners_mutex_;
    std::map<std::uint64_t, std::function<void()>> listeners_;
    std::uint64_t next_listener_ = 1;

    std::atomic<std::uint64_t> runs_seq_seen_{0};  // the highest work stream number seen
    std::atomic<bool> loss_suspected_{false};
    std::atomic<bool> stopping_{false};
    threads::service_thread lease_keeper_;  // last: stopped first
};

}  // namespace ferry::engine::cluster
