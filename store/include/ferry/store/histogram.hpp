#pragma once

// A Prometheus-style histogram, shared by every layer (it lives in the lowest library): the
// store times fsyncs, the intake sizes group commits, the ingress times requests.
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace ferry::store {

/// Fixed upper bounds, atomic counts. observe() is lock-free and thread-safe.
class histogram {
public:
    explicit histogram(std::vector<double> bounds)
        : bounds_(std::move(bounds)),
          counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

    void observe(double value) {
        std::size_t i = 0;
        while (i < bounds_.size() && value > bounds_[i]) ++i;
        counts_[i].fetch_add(1, std::memory_order_relaxed);
        sum_.fetch_add(value, std::memory_order_relaxed);
    }

    struct snapshot {
        std::vector<double> bounds;
        std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (= count)
        double sum = 0;
    };
    snapshot read() const {
        snapshot out{bounds_, {}, sum_.load(std::memory_order_relaxed)};
        std::uint64_t running = 0;
        for (std::size_t i = 0; i <= bounds_.size(); ++i) {
            running += counts_[i].load(std::memory_order_relaxed);
            out.cumulative.push_back(running);
        }
        return out;
    }

    /// Seconds, from 100 µs to 10 s: request and fsync latencies.
    static std::vector<double> latency() {
        return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};
    }
    /// Counts from 1 to 4096 in powers of two: group-commit batch sizes.
    static std::vector<double> sizes() {
        return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
    }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
    std::atomic<double> sum_{0};
};

}  // namespace ferry::store
