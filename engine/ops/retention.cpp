#include "ops/retention.hpp"

#include <algorithm>
#include <chrono>

#include "clock.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine {

void retention_sweeper::start() {
    if (keep_ms_ <= 0 || thread_.joinable()) return;  // 0: keep everything
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    thread_ = std::thread([this] { run(); });
}

void retention_sweeper::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void retention_sweeper::run() {
    const auto every =
        std::chrono::milliseconds(std::clamp<std::int64_t>(keep_ms_ / 10, 1000, 3'600'000));
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        if (auto swept = db_.delete_history_before(now_ms() - keep_ms_); !swept) {
            log::error("retention", "cannot delete old executions",
                       {{"error", swept.error().message()}});
        }
        sweeps_.fetch_add(1);
        lock.lock();
        wake_.wait_for(lock, every, [this] { return stopping_; });
    }
}

}  // namespace ferry::engine
