#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <vector>

#include "ferry/engine/model/registry.hpp"
#include "ferry/threads/service_thread.hpp"
#include "ferry/transport/context.hpp"

namespace ferry::engine {

struct remote_worker_settings {
    std::string endpoint;     // the serving process's --worker-endpoint
    std::size_t threads = 2;  // executor threads
    std::string files_root;   // for file_write, on this machine
    /// Well under the serving process's lease (at least 1 s): several heartbeats fit in one,
    /// so a busy or slow (sanitized, loaded) worker never loses its leases while alive.
    std::chrono::milliseconds heartbeat{250};
};

struct remote_worker_stats {
    std::uint64_t executions = 0;  // results sent back
};

/// `ferry worker`: executor threads in a process of their own, fed by a serving process over
/// ZeroMQ (docs/storage.md, "Remote workers"). Each thread asks for work, runs the execution
/// it is leased with the serving process's own definitions (fetched when they change) and
/// limits (sent with each execution), and
/// sends back the outcome for the serving process to record; sequences are reserved there, and
/// a respond: early reply is sent on at once. A heartbeat keeps this process's leases alive.
/// It holds nothing durable: if it dies, the serving process dispatches its work again.
///
/// Lifecycle: start() launches the threads; stop() lets running executions finish, sends
/// their results, and joins.
class remote_worker {
public:
    remote_worker(transport::context& ctx, remote_worker_settings settings);
    ~remote_worker();
    remote_worker(const remote_worker&) = delete;
    remote_worker& operator=(const remote_worker&) = delete;

    void start();
    void stop();
    remote_worker_stats stats() const { return {executions_.load()}; }
    const std::string& id() const { return id_; }

private:
    void executor_thread(const std::stop_token& stop);
    void heartbeat_thread(const std::stop_token& stop);
    struct deployed {
        std::string generation;
        std::shared_ptr<const registry> processes;
        std::string error;  // why they do not load here
    };
    std::shared_ptr<const deployed> current_deployed() const;
    void set_deployed(std::shared_ptr<const deployed> d);

    transport::context& ctx_;
    remote_worker_settings settings_;
    std::string id_;
    std::atomic<std::uint64_t> executions_{0};
    struct sequence_block {
        std::uint64_t next = 0;
        std::uint64_t end = 0;  // exclusive
    };
    std::mutex sequences_mutex_;
    std::unordered_map<std::string, sequence_block> sequences_;
    mutable std::mutex deployed_mutex_;
    std::shared_ptr<const deployed> deployed_;
    threads::service_threads executors_;
    threads::service_thread heartbeat_;
};

}  // namespace ferry::engine
