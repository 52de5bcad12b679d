#pragma once

#include <atomic>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ferry/engine/cluster/cluster_presence.hpp"
#include "ferry/engine/cluster/jetstream_settings.hpp"
#include "ferry/engine/execute/execution_limits.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/workers/worker_report.hpp"
#include "ferry/nats/connection.hpp"
#include "ferry/threads/service_thread.hpp"

namespace ferry::engine {
class executor_loop;
class sequence_blocks;
}  // namespace ferry::engine

namespace ferry::engine::cluster {

class jetstream_backend;

struct cluster_worker_settings {
    nats::connection_settings nats;
    jetstream_settings jetstream;
    std::size_t threads = 2;  // executor threads: they compute; waiting holds none of them
    /// Executions held at once, running or waiting (the cluster's work stream holds the rest).
    std::size_t max_in_flight = 4096;
    std::size_t claim_batch = 16;  // executions a loop claims at once
    /// How long stop() lets executions in flight end; those still running then are given back
    /// to the cluster (another executor runs them).
    std::chrono::milliseconds stop_grace{5000};
    execution_limits limits{};  // files_root: where file_write writes, on this machine
    /// How long open() waits for a cluster that is still electing its leaders.
    std::chrono::milliseconds patience{30000};
    /// Set: this worker reports itself to the cluster under this name (`ferry nodes`); a
    /// node's own executors are reported by the node.
    std::string member_name;
};

/// `ferry worker --cluster`: executor loops (execute/executor_loop.hpp) that claim from the
/// cluster's JetStream work stream (cluster/jetstream_backend.hpp) and record outcomes there,
/// from any machine that reaches the NATS servers. It holds nothing durable: what it holds
/// when it dies is delivered again after the stream's ack wait (when it stops, at once).
///
/// Threads: `threads` executor loops, the backend's lease keeper, the NATS client's own.
/// Lifecycle: open() connects and creates what is missing; start(); stop() lets executions in
/// flight end (for at most `stop_grace`) and gives back the rest.
class cluster_worker {
public:
    /// The definitions executions run: those `processes` returns when a lease starts (a
    /// serving process's hot deploys show at once).
    using processes_source = std::function<std::shared_ptr<const registry>()>;

    static boost::system::result<std::unique_ptr<cluster_worker>> open(
        cluster_worker_settings settings, processes_source processes);
    ~cluster_worker();
    cluster_worker(const cluster_worker&) = delete;
    cluster_worker& operator=(const cluster_worker&) = delete;

    void start();
    void stop();
    worker_report stats() const;

private:
    class loop_host;
    cluster_worker(cluster_worker_settings settings, processes_source processes);

    cluster_worker_settings settings_;
    processes_source processes_;
    std::unique_ptr<nats::connection> nats_;
    std::unique_ptr<jetstream_backend> backend_;
    std::unique_ptr<sequence_blocks> sequences_;  // reserved in the cluster, in blocks
    std::unique_ptr<loop_host> host_;
    std::vector<std::unique_ptr<executor_loop>> loops_;
    std::uint64_t work_signal_ = 0;
    std::atomic<std::uint64_t> succeeded_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::unique_ptr<cluster_presence> presence_;  // with a member name
    threads::service_threads executors_;
};

}  // namespace ferry::engine::cluster
