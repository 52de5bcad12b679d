#pragma once

#include <chrono>
#include <thread>

namespace ferry::test {

/// Polls `condition` until it holds or `timeout` has passed: true when it held. For tests that
/// wait for something to happen (instead of sleeping a fixed time and hoping).
template <class Condition>
bool eventually(Condition&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds poll = std::chrono::milliseconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(poll);
    }
}

}  // namespace ferry::test
