#include "ops/retention.hpp"

#include <algorithm>
#include <chrono>

#include "clock.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine {

void retention_sweeper::start() {
    if (keep_ms_ <= 0 || thread_.running()) return;  // 0: keep everything
    thread_.start("ferry-retention", [this](std::stop_token stop) { run(std::move(stop)); });
}

void retention_sweeper::stop() { thread_.stop(); }

void retention_sweeper::run(std::stop_token stop) {
    const auto every =
        std::chrono::milliseconds(std::clamp<std::int64_t>(keep_ms_ / 10, 1000, 3'600'000));
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
        lock.unlock();
        if (auto swept = db_.delete_history_before(now_ms() - keep_ms_); !swept) {
            log::error("retention", "cannot delete old executions",
                       {{"error", swept.error().message()}});
        }
        sweeps_.fetch_add(1);
        lock.lock();
        wake_.wait_for(lock, stop, every, [] { return false; });
    }
}

}  // namespace ferry::engine
