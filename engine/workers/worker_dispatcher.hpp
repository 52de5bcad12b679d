#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ferry/engine/execute/executor.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/workers/worker_report.hpp"
#include "ferry/threads/service_thread.hpp"
#include "ferry/transport/context.hpp"

namespace ferry::engine {

/// The serving process's side of remote workers (`ferry worker --connect`): a ROUTER socket
/// bound at `endpoint` that claims executions from the pool's execution backend, leases them
/// with their documents to worker threads that ask for work, and reports what they send back
/// to the backend exactly as a local executor would (one finishing write per round of
/// results, kept answers first, replies after).
///
/// A lease lives as long as its worker process sends heartbeats; a worker silent for
/// `lease_timeout` loses its leases, and their executions are claimed again (the attempt
/// counted). A result for a lease that was taken back is dropped: the first live lease wins.
///
/// Lifecycle: construct before the pool starts (it installs the backend's work signal),
/// start() binds and launches its thread, stop() before the pool stops. Executions leased
/// when it stops stay pending in the store and run at the next start.
class worker_dispatcher {
public:
    worker_dispatcher(transport::context& ctx, executor_pool& pool,
                      const registry_holder& processes, std::string endpoint,
                      std::chrono::milliseconds lease_timeout);
    ~worker_dispatcher();
    worker_dispatcher(const worker_dispatcher&) = delete;
    worker_dispatcher& operator=(const worker_dispatcher&) = delete;

    void start();
    void stop();
    /// Worker processes heard from within the lease timeout.
    std::size_t live_workers() const { return live_workers_.load(); }
    /// Those workers, with their last reports (refreshed a few times a second).
    std::vector<worker_view> workers() const;

private:
    class loop;

    transport::context& ctx_;
    executor_pool& pool_;
    const registry_holder& processes_;
    std::string endpoint_;
    std::chrono::milliseconds lease_timeout_;
    int signal_ = -1;                // eventfd: the backend has work
    std::uint64_t work_signal_ = 0;  // our on_new_work() subscription
    // Set while a worker waits for work: only then does new work signal (a server whose workers
    // are all busy, or not there, is not woken for every commit).
    std::atomic<bool> wants_work_{false};
    std::atomic<std::size_t> live_workers_{0};
    mutable std::mutex views_mutex_;
    std::vector<worker_view> views_;  // written by the loop's thread
    std::unique_ptr<loop> loop_;
    threads::service_thread thread_;
};

}  // namespace ferry::engine
