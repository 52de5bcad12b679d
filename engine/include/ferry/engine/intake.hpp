#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "ferry/store/store.hpp"
#include "ferry/transport/context.hpp"

namespace ferry::engine {

struct intake_settings {
    std::string endpoint = "inproc://ferry-intake";
    std::size_t max_batch = 4096;  // requests per group commit
};

struct intake_stats {
    std::uint64_t batches = 0;        // group commits (one fsync each)
    std::uint64_t requests = 0;       // submissions committed
    std::uint64_t largest_batch = 0;
    std::uint64_t failed_batches = 0;
};

/// Receives submissions over ZeroMQ and makes them durable by group commit: every submission
/// that arrived while the previous batch was being fsynced goes into the next single RocksDB
/// write; each submitter gets its receipt only after that write returned.
///
/// Lifecycle: start() binds the endpoint and starts the intake thread; stop() joins it.
/// Submissions still queued at stop() get no reply (they were never acknowledged).
/// Concurrency: one dedicated thread; `on_committed(last_seq)` runs on it after every commit.
class intake_service {
public:
    intake_service(transport::context& ctx, store::store& db, intake_settings settings,
                   std::function<void(std::uint64_t)> on_committed);
    ~intake_service();
    intake_service(const intake_service&) = delete;
    intake_service& operator=(const intake_service&) = delete;

    void start();
    void stop();
    intake_stats stats() const;

private:
    void run();

    transport::context& ctx_;
    store::store& db_;
    intake_settings settings_;
    std::function<void(std::uint64_t)> on_committed_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> batches_{0};
    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> largest_batch_{0};
    std::atomic<std::uint64_t> failed_batches_{0};
    std::thread thread_;
    std::unique_ptr<struct intake_socket> socket_;
};

}  // namespace ferry::engine
