#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <vector>

#include "ferry/engine/execute/execution_limits.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/store/store.hpp"
#include "ferry/threads/service_thread.hpp"
#include "ferry/transport/context.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::engine {

class execution_backend;
class executor_loop;
class partner_limits;
class pending_queue;
class sequence_blocks;

struct executor_settings {
    std::size_t threads = 2;  // executor threads: they compute; waiting holds none of them
    /// Executions claimed and not yet finished, over all threads: running or waiting (on a
    /// partner, between attempts). The durable queue holds the rest (back pressure).
    std::size_t max_in_flight = 4096;
    /// How long stop() lets executions in flight end; those still waiting then run again
    /// after the restart.
    std::chrono::milliseconds stop_grace{5000};
    execution_limits limits{};
    std::uint32_t max_attempts = 5;    // an execution that kept crashing the server is failed
    std::size_t claim_batch = 16;      // executions an executor takes at once (one write each way)
    std::size_t handoff_limit = 4096;  // executions held in memory, handed over by the intake
    int nice = 10;  // CPU priority of executor threads relative to HTTP and intake (0 = same)
    /// Where synchronous replies go (the ingress's reply receiver); no replies without it.
    transport::context* reply_context = nullptr;
    std::string reply_endpoint;
};

struct executor_stats {
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
    std::uint64_t running = 0;    // stored executions claimed now (here or by workers)
    std::uint64_t in_flight = 0;  // executions on the local executors now, running or waiting
    std::uint64_t waiting = 0;    // of those, waiting (a partner's answer, a pause)
    // http_call partners: connections opened, calls over a kept connection, TLS sessions
    // resumed, and calls in flight per partner ("https://host:port").
    std::uint64_t partner_connections_opened = 0;
    std::uint64_t partner_calls_reused = 0;
    std::uint64_t partner_sessions_resumed = 0;
    std::map<std::string, std::size_t> partner_calls_in_flight;
};

/// Runs executions on threads of this process. They claim their work from an execution
/// backend (execute/execution_backend.hpp) and report outcomes to it; the pool owns the
/// embedded one, the durable pending queue in the store (execute/pending_queue.hpp), which the
/// remote-worker dispatcher claims from too.
///
/// Each executor thread runs an executor loop (execute/executor_loop.hpp): executions are
/// coroutines on it, many at once, and one that waits on a partner or a pause gives the thread
/// to the others. The loop claims up to `claim_batch` executions at a time and records the
/// outcomes of those that finished since its last write in one write; under load it claims
/// the next batch with that write, so the note of what it runs rides in it. "Running" itself
/// lives in memory (running_since()).
///
/// Lifecycle: start() counts interrupted executions and launches the threads; stop() lets
/// executions in flight end (for at most stop_grace) and joins.
/// Concurrency: notify(), run_in_memory(), running_since() and stats() are thread-safe.
class executor_pool {
public:
    executor_pool(store::store& db, const registry_holder& processes, executor_settings settings);
    ~executor_pool();
    executor_pool(const executor_pool&) = delete;
    executor_pool& operator=(const executor_pool&) = delete;

    void start();
    void stop();
    /// Tells the pool that pending entries up to `committed_seq` exist. `fresh`, when given,
    /// holds exactly the executions committed since the previous notify(), in seq order.
    void notify(std::uint64_t committed_seq, std::vector<store::new_execution> fresh = {});
    /// Runs an execution of a low_latency process from memory: nothing about it is stored
    /// (executions it starts through process_call are). False when the pool is stopping or
    /// already holds handoff_limit of them (back pressure). Thread-safe.
    bool run_in_memory(store::new_execution execution);
    /// When the execution is running now, the time it started (ms since the epoch).
    std::optional<std::int64_t> running_since(const std::string& execution_id) const;
    executor_stats stats() const;
    /// Executions committed but not yet taken by an executor (the queue depth).
    std::uint64_t backlog() const;
    /// Where redeliveries of failed queue messages go once stored (they wait for their time
    /// there). Set before start().
    void on_delayed(std::function<void(const std::vector<store::waiting_entry>&)> sink);

    /// Where executions are claimed from and their outcomes go.
    execution_backend& backend();
    /// The deployed processes executions run.
    const registry_holder& processes() const { return processes_; }
    /// The bound on calls in flight per http_call partner, shared by the executor threads.
    partner_limits& partners() { return *partners_; }
    const executor_settings& settings() const { return settings_; }
    /// What shapes what an execution leaves behind (remote workers are sent it too).
    const execution_limits& limits() const { return settings_.limits; }
    /// Counts and logs executions that ended (here or on a remote worker), setting their
    /// finish time when not set.
    void count_finished(std::span<store::execution_record> finished);
    /// Counts executions that succeeded on a remote worker and arrived in their stored form
    /// (logged only when debug logging is on, and then they come decoded).
    void count_succeeded(std::size_t n) { succeeded_.fetch_add(n, std::memory_order_relaxed); }

    /// The next value of a named sequence. Values are reserved from the backend in blocks, so
    /// most take no write; an error when the store refuses the reservation.
    boost::system::result<std::uint64_t> next_sequence(std::string_view name);

private:
    const registry_holder& processes_;
    executor_settings settings_;
    std::unique_ptr<pending_queue> queue_;
    std::unique_ptr<partner_limits> partners_;    // the bound per partner, over every thread
    std::unique_ptr<sequence_blocks> sequences_;  // values reserved in the store, in blocks
    class loop_host;                              // what the loops see of the pool
    std::unique_ptr<loop_host> host_;
    std::vector<std::unique_ptr<executor_loop>> loops_;  // one per executor thread
    std::uint64_t work_signal_ = 0;                      // the loops' on_new_work subscription

    std::atomic<std::uint64_t> succeeded_{0};
    std::atomic<std::uint64_t> failed_{0};
    threads::service_threads threads_;
};

}  // namespace ferry::engine
