#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "ferry/store/store.hpp"

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
    void run();

    store::store& db_;
    std::int64_t keep_ms_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
    std::atomic<std::uint64_t> sweeps_{0};
};

}  // namespace ferry::engine
