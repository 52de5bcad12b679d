#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
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

struct execution_services;
struct execution_output;
class execution_backend;
class pending_queue;

struct executor_settings {
    std::size_t threads = 2;
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
    std::uint64_t running = 0;  // executions running on local executors now
};

/// Runs executions on threads of this process. They claim their work from an execution
/// backend (execute/execution_backend.hpp) and report outcomes to it; the pool owns the
/// embedded one, the durable pending queue in the store (execute/pending_queue.hpp), which the
/// remote-worker dispatcher claims from too.
///
/// Each executor claims up to `claim_batch` executions at a time and records their outcomes in
/// one write; under load it claims the next batch with that write, so the note of what it runs
/// rides in it (one write per batch). "Running" itself lives in memory (running_since()).
///
/// Lifecycle: start() counts interrupted executions and launches the threads; stop() lets
/// running executions finish and joins.
/// Concurrency: notify(), run_in_memory() and running_since() are thread-safe.
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
    const executor_settings& settings() const { return settings_; }
    /// What shapes what an execution leaves behind (remote workers are sent it too).
    const execution_limits& limits() const { return settings_.limits; }
    /// Counts and logs executions that ended (here or on a remote worker), setting their
    /// finish time when not set.
    void count_finished(std::span<store::execution_record> finished);

    /// The next value of a named sequence. Values are reserved from the backend in blocks, so
    /// most take no write; an error when the store refuses the reservation.
    boost::system::result<std::uint64_t> next_sequence(std::string_view name);

private:
    using reply_sink = std::function<void(transport::frames)>;

    /// What executions run here get: `host` (the deployed processes, sequences reserved in
    /// the store), and early replies through `send_reply` (both must outlive the result).
    execution_services services(const reply_sink& send_reply, bool in_memory, run_host& host);
    void worker(std::uint32_t slot, const std::stop_token& stop);

    const registry_holder& processes_;
    executor_settings settings_;
    std::unique_ptr<pending_queue> queue_;

    struct sequence_block {
        std::uint64_t next = 0;
        std::uint64_t end = 0;  // exclusive
    };
    std::mutex sequences_mutex_;
    std::unordered_map<std::string, sequence_block> sequences_;

    std::mutex pause_mutex_;  // failed writes are tried again after pauses that stop() ends
    std::condition_variable_any pause_;
    std::atomic<std::uint64_t> succeeded_{0};
    std::atomic<std::uint64_t> failed_{0};
    threads::service_threads threads_;
};

}  // namespace ferry::engine
