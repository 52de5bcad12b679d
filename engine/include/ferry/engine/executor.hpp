#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ferry/engine/registry.hpp"
#include "ferry/engine/reply.hpp"
#include "ferry/engine/runner.hpp"
#include "ferry/store/store.hpp"
#include "ferry/transport/context.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::engine {

struct executor_settings {
    std::size_t threads = 2;
    std::string files_root;            // for file_write
    std::uint32_t max_attempts = 5;    // an execution that kept crashing the server is failed
    std::size_t claim_batch = 16;      // executions an executor takes at once (one write each way)
    std::size_t handoff_limit = 4096;  // executions held in memory, handed over by the intake
    std::size_t max_trace_entries = 1000;    // step runs traced per execution
    std::size_t max_kept_documents = 1000;   // step outputs stored per execution (general mode)
    std::size_t max_kept_bytes = 16u << 20;  // and their bytes
    std::int64_t page_ttl_ms = 3'600'000;     // later pages of a long list reply stay this long
    std::int64_t reply_ttl_ms = 86'400'000;   // a synchronous execution's reply, for its status link
    int nice = 10;  // CPU priority of executor threads relative to HTTP and intake (0 = same)
    /// Where synchronous replies go (the ingress's reply receiver); no replies without it.
    transport::context* reply_context = nullptr;
    std::string reply_endpoint;
};

struct executor_stats {
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
};

/// Runs pending executions. The durable pending queue in the store *is* the queue; the pool
/// keeps a cursor into it and a bounded buffer in memory:
///
/// - freshly committed executions arrive from the intake with their documents (notify()) and
///   run without being read back from the store, as long as the pool keeps up;
/// - when it falls behind (buffer full) or after a restart, it reads the pending queue from the
///   cursor on, so a backlog of any size costs no memory, and on start the cursor begins at
///   zero, which picks up every execution that was queued or running when the server last
///   stopped (SPEC §4, restart).
///
/// Each executor claims up to `claim_batch` executions at a time, notes their pending seqs
/// under its slot (one small write; see store::record_running) and records their outcomes in
/// one write. "Running" itself lives in memory (running_since()).
///
/// Lifecycle: start() counts interrupted executions and launches the threads; stop() lets
/// running executions finish and joins.
/// Concurrency: notify() and running_since() are thread-safe.
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

private:
    /// A claimed pending entry, with its record and documents when the intake handed them over.
    struct work_item {
        std::uint64_t seq = 0;
        std::string execution_id;
        std::optional<store::new_execution> loaded;
    };
    std::vector<work_item> claim();
    void run_in_memory_batch(std::vector<work_item>& items,
                             const std::function<void(transport::frames)>& send_reply);
    void run_batch(std::uint32_t slot, std::vector<work_item>& items,
                   const std::function<void(transport::frames)>& send_reply);
    /// Loads (unless handed over) and runs one execution; fills in its outcome.
    using step_documents = std::vector<std::pair<std::string, store::document>>;
    /// What the executions of one batch leave behind for its finishing write, and the replies
    /// to send once it is done.
    struct batch_output {
        step_documents kept;
        std::vector<store::new_execution> started;
        std::vector<transport::frames> replies;
        std::function<void(transport::frames)> send_now;  // early replies; empty: no replies
        bool in_memory = false;  // low_latency: nothing of the execution is stored
        std::vector<std::pair<std::string, std::string>> answers;  // kept replies, see below
    };
    /// Assembles a synchronous reply, stores its later pages at once, queues the reply itself
    /// (unless in memory) in `out.answers` for the status link, and returns what to send.
    http_answer keep_reply(const process& p, const store::execution_record& rec,
                           const run_outcome& outcome, batch_output& out);
    /// Writes the batch's kept replies in one write; sweeps expired answers now and then.
    void keep_answers(batch_output& out);
    std::atomic<std::int64_t> next_answer_sweep_ms_{0};
    void queue_started(const store::execution_record& parent,
                       std::vector<started_execution>& from,
                       std::vector<store::new_execution>& into);
    void run_one(store::execution_record& rec, std::vector<store::document> documents, bool loaded,
                 batch_output& out);
    void worker(std::uint32_t slot);

    store::store& db_;
    const registry_holder& processes_;
    executor_settings settings_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<work_item> buffer_;
    std::uint64_t cursor_ = 0;     // next seq to read from the pending queue
    std::uint64_t known_seq_ = 0;  // highest seq known to be committed
    bool stopping_ = false;
    std::unordered_map<std::string, std::int64_t> running_;  // execution id -> started at

    /// Sequential values are reserved from the store in blocks, so most take no write.
    std::uint64_t next_sequence(std::string_view name);
    struct sequence_block {
        std::uint64_t next = 0;
        std::uint64_t end = 0;  // exclusive
    };
    std::mutex sequences_mutex_;
    std::unordered_map<std::string, sequence_block> sequences_;

    std::atomic<std::uint64_t> succeeded_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::vector<std::thread> threads_;
    std::deque<store::new_execution> in_memory_;  // low_latency executions waiting to run
};

}  // namespace ferry::engine
