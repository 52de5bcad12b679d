#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ferry/engine/registry.hpp"
#include "ferry/store/store.hpp"

namespace ferry::engine {

struct executor_settings {
    std::size_t threads = 2;
    std::string files_root;          // for file_write
    std::uint32_t max_attempts = 5;  // an execution that kept crashing the server is failed
    std::size_t claim_batch = 16;    // executions an executor takes at once (one write each way)
    int nice = 10;  // CPU priority of executor threads relative to HTTP and intake (0 = same)
};

struct executor_stats {
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
};

/// Runs pending executions. The durable pending queue in the store *is* the queue: the pool
/// keeps only a cursor and a small read-ahead buffer in memory, so a backlog of any size
/// costs no memory, and on start the cursor begins at zero, which picks up every execution
/// that was queued or running when the server last stopped (SPEC §4, restart).
///
/// Each executor claims up to `claim_batch` executions at a time, marks them running in one
/// write and records their outcomes in one write: RocksDB writes per execution stay below one.
///
/// Lifecycle: start() launches the threads; stop() lets running executions finish and joins.
/// Concurrency: notify() is thread-safe (the intake calls it after each commit).
class executor_pool {
public:
    executor_pool(store::store& db, const registry_holder& processes, executor_settings settings);
    ~executor_pool();
    executor_pool(const executor_pool&) = delete;
    executor_pool& operator=(const executor_pool&) = delete;

    void start();
    void stop();
    /// Tells the pool that pending entries up to `committed_seq` exist.
    void notify(std::uint64_t committed_seq);
    executor_stats stats() const;

private:
    std::vector<store::pending_entry> claim();
    void run_batch(const std::vector<store::pending_entry>& entries);
    /// Runs one execution whose record is loaded and marked running; fills in its outcome.
    void run_one(store::execution_record& rec);
    void worker();

    store::store& db_;
    const registry_holder& processes_;
    executor_settings settings_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<store::pending_entry> buffer_;
    std::uint64_t cursor_ = 0;     // next seq to read from the pending queue
    std::uint64_t known_seq_ = 0;  // highest seq known to be committed
    bool stopping_ = false;

    std::atomic<std::uint64_t> succeeded_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::vector<std::thread> threads_;
};

}  // namespace ferry::engine
