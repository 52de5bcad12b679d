#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "http/request_metrics.hpp"

namespace ferry::ingress::console {

/// The console's live figures: requests and errors per second, overall and per operation,
/// and the p99 latency of the last ten seconds, from samples of request_metrics taken at most
/// once a second (by whichever live page asks first; nothing runs while no page is open).
/// Concurrency: thread-safe.
class live_rates {
public:
    struct operation_rate {
        double rate = 0;    // requests per second
        double errors = 0;  // of those, answered 400 or more
    };
    struct figures {
        double requests_per_second = 0;
        double errors_per_second = 0;
        std::optional<double> p99_ms;  // the bucket bound of request_metrics; none without traffic
        std::map<std::string, operation_rate> operations;
    };

    /// Samples `metrics` when a second has passed since the last sample; the figures of the
    /// last second (zero before a second sample).
    figures update(const request_metrics& metrics, std::chrono::steady_clock::time_point now);

private:
    struct sample {
        std::chrono::steady_clock::time_point at;
        std::map<std::string, request_metrics::operation_totals, std::less<>> totals;
    };
    figures compute() const;

    mutable std::mutex mutex_;
    std::deque<sample> samples_;  // the last 11, oldest first
    figures last_;
};

}  // namespace ferry::ingress::console
