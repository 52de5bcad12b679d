#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ferry/engine/model/registry.hpp"
#include "ferry/store/store.hpp"
#include "ferry/transport/context.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::engine {

struct execution_limits;
struct execution_services;
struct execution_output;

struct executor_settings {
    std::size_t threads = 2;
    std::string files_root;            // for file_write
    std::uint32_t max_attempts = 5;    // an execution that kept crashing the server is failed
    std::size_t claim_batch = 16;      // executions an executor takes at once (one write each way)
    std::size_t handoff_limit = 4096;  // executions held in memory, handed over by the intake
    std::size_t max_trace_entries = 1000;    // step runs traced per execution
    std::size_t max_kept_documents = 1000;   // step outputs stored per execution (general mode)
    std::size_t max_kept_bytes = 16u << 20;  // and their bytes
    std::int64_t page_ttl_ms = 3'600'000;    // later pages of a long list reply stay this long
    std::int64_t reply_ttl_ms = 86'400'000;  // a synchronous execution's reply, for its status link
    /// Failed queue deliveries are delivered again after these, then dead-lettered (SPEC §3).
    std::vector<std::uint32_t> redelivery_ms = {1000, 2000, 3000, 5000, 8000, 24000};
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
/// under its slot (see store::record_running) and records their outcomes in one write; under
/// load it claims the next batch before that write, so the note rides in it (one write per
/// batch). "Running" itself lives in memory (running_since()).
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
    /// Executions committed but not yet taken by an executor (the queue depth).
    std::uint64_t backlog() const;
    /// Where redeliveries of failed queue messages go once stored (they wait for their time
    /// there). Set before start().
    void on_delayed(std::function<void(const std::vector<store::waiting_entry>&)> sink) {
        on_delayed_ = std::move(sink);
    }

private:
    friend class worker_dispatcher;  // runs claimed executions on remote workers

    /// A claimed pending entry, with its record and documents when the intake handed them over.
    struct work_item {
        std::uint64_t seq = 0;  // 0: a low_latency execution run in memory
        std::string execution_id;
        std::optional<store::new_execution> loaded;
    };
    /// A claimed execution ready to run: its record (attempt counted, state running) and
    /// documents, or, with `error`, the reason it fails without running.
    struct prepared {
        store::execution_record record;
        std::vector<store::document> documents;
        std::string error;
    };
    using reply_sink = std::function<void(transport::frames)>;
    using kept_answers = std::vector<std::pair<std::string, std::string>>;

    std::vector<work_item> claim();  // blocks until there is work or the pool stops
    std::vector<work_item> try_claim(std::size_t max);
    std::vector<work_item> claim_locked(std::unique_lock<std::mutex>& lock, std::size_t max,
                                        bool wait);
    /// Called (from any thread) whenever new work may be claimable: wakes the dispatcher.
    void set_work_signal(std::function<void()> signal);
    void mark_running(std::span<const work_item> items, std::int64_t now);
    void mark_done(std::span<const work_item> items);
    prepared prepare(work_item& item, std::int64_t now);
    execution_limits limits() const;
    /// What executions run here get: the store's sequences, the deployed processes, and early
    /// replies through `send_reply` (which must outlive the result).
    execution_services services(const reply_sink& send_reply, bool in_memory);
    /// Records finished executions (not in memory) with what they left in one write (with
    /// `then_running`, the slot's next batch, when given), keeps their answers first, queues
    /// what they started, then sends the replies. False when the write failed; with
    /// `until_recorded` a failed write is tried again, with growing pauses, until it succeeds
    /// or the pool stops.
    bool complete(std::vector<store::execution_record>& finished, execution_output& out,
                  bool in_memory, const reply_sink& send_reply,
                  const store::store::running_note* then_running = nullptr,
                  bool until_recorded = false);
    /// The write of complete(); true once it succeeded.
    bool record_finished(std::span<const store::execution_record> records, execution_output& out,
                         const store::store::running_note* then_running, bool until_recorded);
    /// After that write: makes the executions it started durable and hands them on.
    void queue_started(std::span<const store::new_execution> started);
    /// Writes kept replies and pages in one write; sweeps expired answers now and then.
    void keep_answers(kept_answers& answers);
    std::atomic<std::int64_t> next_answer_sweep_ms_{0};
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
    std::function<void()> work_signal_;           // set before start()
    std::function<void(const std::vector<store::waiting_entry>&)> on_delayed_;
};

}  // namespace ferry::engine
