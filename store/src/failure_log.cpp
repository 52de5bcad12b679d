#include <atomic>
#include <chrono>
#include <string>

#include "store_impl.hpp"

namespace ferry::store {

void log_failure(const char* what, const rocksdb::Status& status) {
    static std::atomic<std::int64_t> next_line_ms{0};
    static std::atomic<std::uint64_t> unlogged{0};
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    auto due = next_line_ms.load(std::memory_order_relaxed);
    if (now < due || !next_line_ms.compare_exchange_strong(due, now + 1000)) {
        unlogged.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    const auto skipped = unlogged.exchange(0, std::memory_order_relaxed);
    log::error("store", what,
               {{"error", status.ToString()},
                {"failures_not_logged", skipped == 0 ? std::string() : std::to_string(skipped)}});
}

}  // namespace ferry::store
