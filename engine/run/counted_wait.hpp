#pragma once

#include <atomic>
#include <cstddef>

namespace ferry::engine {

/// Counts a run as waiting (on a partner's answer, a pause between attempts) for as long as it
/// lives: around a co_await that suspends the run. A run waits on one thing at a time.
class counted_wait {
public:
    explicit counted_wait(std::atomic<std::size_t>* counter) : counter_(counter) {
        if (counter_) counter_->fetch_add(1, std::memory_order_relaxed);
    }
    ~counted_wait() {
        if (counter_) counter_->fetch_sub(1, std::memory_order_relaxed);
    }
    counted_wait(const counted_wait&) = delete;
    counted_wait& operator=(const counted_wait&) = delete;

private:
    std::atomic<std::size_t>* counter_;
};

}  // namespace ferry::engine
