#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

namespace ferry::ingress {

/// A token bucket: `per_second` requests on average, bursts of up to `burst`.
/// Concurrency: thread-safe (one short lock per request).
class rate_limiter {
public:
    rate_limiter(double per_second, double burst)
        : rate_(per_second), burst_(std::max(1.0, burst)), tokens_(burst_) {}

    /// Zero when the request may go now (a token is taken); otherwise how long until it could.
    std::chrono::milliseconds take() {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        const std::chrono::duration<double> elapsed = now - last_;
        last_ = now;
        tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
        if (tokens_ >= 1.0) {
            tokens_ -= 1.0;
            return std::chrono::milliseconds(0);
        }
        const auto wait_seconds = (1.0 - tokens_) / rate_;
        return std::chrono::milliseconds(static_cast<long>(std::ceil(wait_seconds * 1000)));
    }

private:
    std::mutex mutex_;
    const double rate_;
    const double burst_;
    double tokens_;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace ferry::ingress
