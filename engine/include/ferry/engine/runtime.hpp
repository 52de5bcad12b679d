#pragma once

#include <boost/system/result.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ferry/engine/cluster/cluster_node.hpp"
#include "ferry/engine/execute/executor.hpp"
#include "ferry/engine/intake/intake.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/ops/deployments.hpp"
#include "ferry/engine/ops/replay_jobs.hpp"
#include "ferry/engine/workers/worker_report.hpp"
#include "ferry/store/store.hpp"
#include "ferry/transport/context.hpp"

namespace ferry::engine {

struct runtime_settings {
    std::string data_dir;  // RocksDB in <data>/db, file_write output in <data>/files
    std::shared_ptr<const registry> processes;
    std::size_t executor_threads = 2;
    /// Executions the executors hold at once, computing or waiting (executor_settings).
    std::size_t max_executions_in_flight = executor_settings{}.max_in_flight;
    /// What executions keep and for how long (files_root: <data>/files, set by the runtime).
    execution_limits limits{};
    std::int64_t idempotency_ttl_ms = 86'400'000;  // how long an Idempotency-Key is remembered
    /// Executions and their documents are deleted once older than this (0: kept forever).
    std::int64_t retention_ms = 30LL * 86'400'000;
    std::string intake_endpoint = "inproc://ferry-intake";
    std::string reply_endpoint = "inproc://ferry-replies";  // executors -> waiting callers
    /// Where remote workers (`ferry worker --connect`) reach this process ("" for none), and
    /// how long a silent worker keeps its leases.
    std::string worker_endpoint;
    std::int64_t worker_lease_ms = 5000;
    /// Cluster mode (docs/cluster.md): posts are answered once stored here and acknowledged by
    /// the cluster (the outbox), and the executors claim from the cluster. Unset: embedded.
    std::optional<cluster::cluster_node_settings> cluster;
};

/// Counters for /metrics and the benchmark.
struct engine_stats {
    store::store_stats store;
    intake_stats intake;
    executor_stats executor;
    std::size_t remote_workers = 0;    // worker processes heard from within the lease timeout
    std::vector<worker_view> workers;  // those workers and what they last reported
    std::uint64_t retention_sweeps = 0;
    std::uint64_t backlog = 0;             // executions queued, not yet taken by an executor
    std::size_t delayed_redeliveries = 0;  // failed queue deliveries waiting for their time
    /// Cluster mode: the whole cluster as this node last read it, and this node's outbox.
    std::optional<cluster::cluster_view> cluster;
    std::uint64_t outbox = 0;
    std::uint64_t outcomes_followed = 0;
    /// The data directory's file system: bytes free to ferry and its size (0 when unknown).
    std::uint64_t disk_free_bytes = 0;
    std::uint64_t disk_total_bytes = 0;
};

class worker_dispatcher;
class retention_sweeper;
class queue_waits;
namespace cluster {
class cluster_worker;
}

/// The engine of one serving process: the store, the intake that group-commits into it and the
/// executor pool that runs what was committed.
/// Lifecycle: open(), start(), ..., stop() (intake first, so nothing new is accepted, then the
/// executors), destroy (closes RocksDB). The transport context must outlive it.
class runtime {
public:
    [[nodiscard]] static boost::system::result<std::unique_ptr<runtime>> open(
        transport::context& ctx, runtime_settings settings);
    ~runtime();

    void start();
    void stop();

    store::store& db() { return *db_; }
    registry_holder& processes() { return processes_; }
    /// Hot deploy, undeploy, pause and resume (restored from the store by open()).
    engine::deployments& deployments() { return deployments_; }
    /// Bulk replays in the background.
    replay_jobs& replays() { return replays_; }
    /// What open() had to say about the deployed processes it restored (for the log).
    const std::vector<std::string>& startup_warnings() const { return startup_warnings_; }
    const executor_pool& executors() const { return executors_; }
    executor_pool& executors() { return executors_; }
    const runtime_settings& settings() const { return settings_; }
    engine_stats stats() const;
    /// Whether the store refuses writes now (stats().intake.refusing_writes, without the rest).
    bool refusing_writes() const { return intake_.refusing_writes(); }
    /// Cluster mode: the cluster's nodes and workers; nullptr in embedded mode.
    const cluster::cluster_node* cluster() const { return cluster_.get(); }
    /// Removes dead letters (resent or cleared): on every node of a cluster.
    boost::system::result<void> remove_dead_letters(std::span<const std::string> ids);

private:
    runtime(transport::context& ctx, runtime_settings settings, std::unique_ptr<store::store> db,
            std::unique_ptr<cluster::cluster_node> cluster);
    /// Cluster mode: the executor threads, claiming from the cluster.
    boost::system::result<void> open_cluster_executors();

    runtime_settings settings_;
    std::unique_ptr<store::store> db_;
    std::unique_ptr<cluster::cluster_node> cluster_;  // cluster mode
    registry_holder processes_;
    stored_control_entries stored_control_;  // deployments' state in embedded mode
    engine::deployments deployments_;
    std::vector<std::string> startup_warnings_;
    executor_pool executors_;
    replay_jobs replays_;                            // stopped before the executors they feed
    std::unique_ptr<worker_dispatcher> dispatcher_;  // with a worker endpoint
    std::unique_ptr<retention_sweeper> retention_;
    std::unique_ptr<queue_waits> queues_;  // redeliveries and parked queue messages
    std::unique_ptr<cluster::cluster_worker> cluster_executors_;  // cluster mode
    intake_service intake_;
};

}  // namespace ferry::engine
