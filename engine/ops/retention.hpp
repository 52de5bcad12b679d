#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>

#include "ferry/store/store.hpp"
#include "ferry/threads/service_thread.hpp"

namespace ferry::engine {

/// Deletes executions and their documents once they are older than the retention
/// (store::delete_history_before), on its own thread: at start and then every tenth of the
/// retention, between a second and an hour. Lifecycle: start(), stop() (also on destruction).
class retention_sweeper {
public:
    retention_sweeper(store::store& db, std::int64_t keep_ms) : db_(db), keep_ms_(keep_ms) {}
    ~retention_sweeper() { stop(); }
    retention_sweeper(const retention_sweeper&) = delete;
    retention_sweeper& operator=(const retention_sweeper&) = delete;

    void start();
    void stop();
    std::uint64_t sweeps() const { return sweeps_.load(); }

private:
    void run(std::stop_token stop);

    store::store& db_;
    std::int64_t keep_ms_;
    std::mutex mutex_;
    std::condition_variable_any wake_;  // only a stop request wakes it early
    std::atomic<std::uint64_t> sweeps_{0};
    threads::service_thread thread_;  // last: stopped before the members it uses go
};

}  // namespace ferry::engine
