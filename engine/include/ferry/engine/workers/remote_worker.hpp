#pragma once

#include <atomic>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/workers/worker_report.hpp"
#include "ferry/threads/service_thread.hpp"
#include "ferry/transport/context.hpp"

namespace ferry::transport {
class blocking_client;
}

namespace ferry::engine {

class executor_loop;
class leased_work;
class sequence_blocks;

struct remote_worker_settings {
    std::string endpoint;     // the serving process's --worker-endpoint
    std::size_t threads = 2;  // executor threads: they compute; waiting holds none of them
    /// Executions held at once: received, running or waiting (on a partner, between attempts).
    std::size_t max_in_flight = 4096;
    /// Executions received and not yet started, asked for ahead so that the threads never
    /// wait for the next lease (the serving process's queue holds the rest).
    std::size_t prefetch = 1024;
    /// How long stop() lets executions in flight end; the serving process dispatches those
    /// still waiting then, and those not started, again.
    std::chrono::milliseconds stop_grace{5000};
    std::string files_root;  // for file_write, on this machine
    /// Well under the serving process's lease (at least 1 s): several heartbeats fit in one,
    /// so a busy or slow (sanitized, loaded) worker never loses its leases while alive.
    std::chrono::milliseconds heartbeat{250};
};

/// `ferry worker`: executor loops (execute/executor_loop.hpp) in a process of their own, fed
/// by a serving process over ZeroMQ (docs/storage.md, "Remote workers"). The feed thread keeps
/// several leases in flight (pipelined: up to `prefetch` executions received ahead), the loops
/// run them as on a serving process (many at once, waiting holds no thread) with its
/// definitions (fetched when they change) and limits (sent with each execution), and their
/// outcomes go back in batches for the serving process to record; sequences are reserved
/// there, and a respond: early reply is sent on at once. A heartbeat keeps this process's
/// leases alive. It holds nothing durable: if it dies, the serving process dispatches its work
/// again.
///
/// Threads: `threads` executor loops, the feed (the only one that receives work and sends
/// outcomes), the heartbeat. Questions (sequences, definitions) go over a socket of their own,
/// one loop at a time.
/// Lifecycle: start() launches the threads; stop() lets executions in flight end (for at
/// most `stop_grace`), sends their results, and joins.
class remote_worker {
public:
    remote_worker(transport::context& ctx, remote_worker_settings settings);
    ~remote_worker();
    remote_worker(const remote_worker&) = delete;
    remote_worker& operator=(const remote_worker&) = delete;

    void start();
    void stop();
    /// What it reports with each heartbeat.
    worker_report stats() const;
    const std::string& id() const { return id_; }

private:
    class loop_host;
    struct deployed {
        std::string generation;
        std::shared_ptr<const registry> processes;
        std::string error;  // why they do not load here
    };

    void feed_thread(const std::stop_token& stop);
    void heartbeat_thread(const std::stop_token& stop);
    /// The definitions of `generation`, asked of the serving process when they are not the
    /// ones held; null when this worker stops first.
    std::shared_ptr<const deployed> definitions_for(const std::string& generation);
    /// Reserves `count` values of a sequence in the serving process's store.
    boost::system::result<std::uint64_t> reserve_sequence(std::string_view name,
                                                          std::uint64_t count);

    transport::context& ctx_;
    remote_worker_settings settings_;
    std::string id_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> succeeded_{0};  // outcomes sent back
    std::atomic<std::uint64_t> failed_{0};
    std::unique_ptr<leased_work> work_;
    std::unique_ptr<loop_host> host_;
    std::vector<std::unique_ptr<executor_loop>> loops_;
    std::uint64_t work_signal_ = 0;
    // Questions to the serving process (sequences, definitions): one at a time.
    std::mutex questions_mutex_;
    std::unique_ptr<transport::blocking_client> questions_;
    std::unique_ptr<sequence_blocks> sequences_;  // reserved by the serving process, in blocks
    std::shared_ptr<const deployed> deployed_;    // under questions_mutex_
    threads::service_threads executors_;
    threads::service_thread feed_;
    threads::service_thread heartbeat_;
};

}  // namespace ferry::engine
