#pragma once

#include <atomic>
#include <boost/system/result.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ferry/engine/cluster/cluster_presence.hpp"
#include "ferry/engine/cluster/jetstream_settings.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/ops/control_entries.hpp"
#include "ferry/nats/connection.hpp"
#include "ferry/nats/pull_consumer.hpp"
#include "ferry/nats/subscription.hpp"
#include "ferry/store/store.hpp"
#include "ferry/threads/service_thread.hpp"
#include "ferry/transport/reply_channel.hpp"

namespace ferry::engine::cluster {

class jetstream_backend;
class cluster_control;
class parked_messages;
class delayed_runs;

struct cluster_node_settings {
    nats::connection_settings nats;
    jetstream_settings jetstream;
    std::string node;  // this node's name in the cluster
    /// How long an execution stays in the outbox after the cluster acknowledged it: longer
    /// than JetStream's flush interval (2 minutes in nats-server 2.9), so that what a cluster
    /// lost in a power failure is still here to publish again.
    std::chrono::milliseconds outbox_keep{std::chrono::minutes(10)};
    /// How long open() waits for a cluster that is still electing its leaders.
    std::chrono::milliseconds patience{std::chrono::seconds(30)};
};

/// A serving process's part in a cluster (docs/cluster.md): its NATS connection, the
/// JetStream work stream, and the ingress outbox. The intake stores each post in this node's
/// store (fsync) and hands it to replicate(), which returns once the cluster acknowledged it;
/// only then does the caller get its 202. Outbox entries stay `outbox_keep`, and start()
/// publishes every one again (same message id: the cluster keeps one copy; an execution that
/// already ran is not run again).
///
/// Every node also writes the cluster's outcomes into its own store as they are recorded (its
/// own durable consumer of the record stream): its history, admin API and CLI show every
/// execution's outcome, whichever node took the post and whoever ran it.
///
/// Deployments are the cluster's too: control() keeps them in the cluster's control bucket
/// and this node's store, and what other nodes change is written here and announced to
/// on_deployments_changed's callback (cluster/cluster_control.hpp).
///
/// Threads: the outbox keeper (republish at start, then drop what is old enough); the history
/// follower (outcomes and removed dead letters into the store); the control follower (others'
/// deployments); the presence reporter (cluster_presence.hpp); the viewer (view()); the
/// releaser of parked queue messages (parked_messages.hpp); the mover of redeliveries that
/// are due (delayed_runs.hpp).
/// Concurrency: every member is thread-safe (the setters before start()).
class cluster_node {
public:
    static boost::system::result<std::unique_ptr<cluster_node>> open(
        store::store& db, cluster_node_settings settings);
    ~cluster_node();
    cluster_node(const cluster_node&) = delete;
    cluster_node& operator=(const cluster_node&) = delete;

    /// Queues the executions of a group commit (stored in the outbox) in the cluster, their
    /// idempotency keys claimed there first. Per execution: nullopt when queued, else the
    /// claim another node made first (the execution is cancelled here, never run).
    using replicated = std::vector<std::optional<std::string>>;
    boost::system::result<replicated> replicate(std::span<const store::new_execution> executions);
    /// What the cluster keeps under an answers key (an idempotency claim another node made,
    /// a kept reply or page an executor elsewhere left), if anything.
    boost::system::result<std::optional<std::string>> answer(const std::string& key) const;
    /// Passes the synchronous replies sent to this node (by whichever executor ran the
    /// execution) to its waiting callers, over `reply_endpoint` of `ctx`. Before start().
    boost::system::result<void> receive_replies(transport::context& ctx,
                                                const std::string& reply_endpoint);
    /// Where deployments keep their state in cluster mode (deployments' control entries).
    control_entries& control();
    /// Called (on the control follower's thread) once another node's deployment change is in
    /// this node's store. Before start().
    void on_deployments_changed(std::function<void()> changed) {
        deployments_changed_ = std::move(changed);
    }
    /// What this node's executors report (`ferry nodes`). Before start().
    void on_report_executors(std::function<worker_report()> executors) {
        executors_report_ = std::move(executors);
    }
    /// Releases the cluster's parked queue messages to the processes listening now, as given
    /// by `processes` (every 2 s, and at once after release_parked()). Before start().
    void release_parked_to(std::function<std::shared_ptr<const registry>()> processes) {
        listening_ = std::move(processes);
    }
    /// Looks at the parked messages now (a process may have started listening).
    void release_parked();
    /// The cluster's parked queue messages, by queue.
    boost::system::result<std::map<std::string, std::uint64_t>> parked() const;
    /// Removes dead letters (resent or cleared) on every node: the removal is recorded in the
    /// cluster first (every node's history follows it), then here.
    boost::system::result<void> remove_dead_letters(std::span<const std::string> ids);
    /// The cluster's nodes and workers, as they last reported.
    boost::system::result<std::vector<member_view>> members() const;
    /// The cluster as this node last read it (every 2 s; at once, without asking the cluster).
    cluster_view view() const;
    void start();
    void stop();

    const cluster_node_settings& settings() const { return settings_; }
    /// Executions in the outbox now.
    std::size_t outbox_size() const;
    /// Outcomes written into this node's store since it started.
    std::uint64_t outcomes_followed() const {
        return outcomes_followed_.load(std::memory_order_relaxed);
    }

private:
    cluster_node(store::store& db, cluster_node_settings settings);
    void keep_outbox(const std::stop_token& stop);
    /// Claims the executions' idempotency keys, cancels those another node claimed first and
    /// publishes the rest.
    boost::system::result<replicated> claim_and_publish(
        const std::vector<store::new_execution>& executions, bool again);
    boost::system::result<void> cancel_superseded(
        const std::vector<store::new_execution>& executions, const replicated& verdicts);
    /// Publishes the outbox again; false when the cluster did not take all of it.
    bool republish_outbox();
    void follow_outcomes(const std::stop_token& stop);
    /// Those of `letters` whose removal (resend, clear) the cluster has not recorded.
    boost::system::result<std::vector<store::dead_letter>> dead_letters_not_removed(
        std::vector<store::dead_letter> letters);
    void keep_releasing_parked(const std::stop_token& stop);

    store::store& db_;
    cluster_node_settings settings_;
    std::unique_ptr<nats::connection> nats_;
    std::unique_ptr<jetstream_backend> backend_;
    // The replies' subscription and, used only on its thread, the socket to the callers.
    std::unique_ptr<transport::reply_sender> reply_sender_;
    std::unique_ptr<nats::subscription> replies_;
    std::atomic<std::size_t> outbox_size_{0};
    std::atomic<bool> republish_{false};  // a replicate() failed: publish the outbox again
    std::unique_ptr<nats::pull_consumer> outcomes_;  // this node's, on the record stream
    std::atomic<std::uint64_t> outcomes_followed_{0};
    stored_control_entries stored_control_;
    std::unique_ptr<cluster_control> control_;
    std::function<void()> deployments_changed_;
    std::function<worker_report()> executors_report_;
    std::unique_ptr<parked_messages> parked_;
    std::unique_ptr<delayed_runs> delayed_;
    std::function<std::shared_ptr<const registry>()> listening_;
    std::mutex release_mutex_;
    std::condition_variable_any release_wakeup_;
    bool release_now_ = false;  // under release_mutex_
    std::int64_t started_ms_ = 0;
    std::unique_ptr<cluster_presence> presence_;
    mutable std::mutex view_mutex_;
    cluster_view view_;
    threads::service_thread keeper_;
    threads::service_thread follower_;
    threads::service_thread control_follower_;
    threads::service_thread viewer_;         // reads the cluster's view
    threads::service_thread releaser_;       // parked queue messages
    threads::service_thread delayed_mover_;  // redeliveries that are due
};

}  // namespace ferry::engine::cluster
