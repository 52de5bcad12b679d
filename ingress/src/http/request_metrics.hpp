#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "ferry/store/histogram.hpp"

namespace ferry::ingress {

/// Requests by operation and status, and their latency by operation, for /metrics. The
/// operation label is a deployed operation's name, "admin" (admin API and /metrics), "unknown"
/// (an operation nobody serves: callers cannot grow the label set) or "other".
/// Concurrency: thread-safe (one short lock per request).
class request_metrics {
public:
    /// What one operation has counted so far.
    struct operation_totals {
        std::uint64_t requests = 0;
        std::uint64_t errors = 0;  // answered with a status of 400 or more
        store::histogram::snapshot latency;
    };

    void record(const std::string& operation, unsigned status, double seconds);
    /// Every operation's totals (the console turns two of these into live rates).
    std::map<std::string, operation_totals, std::less<>> totals() const;
    /// Appends ferry_requests_total and ferry_request_seconds in the Prometheus text format.
    void render(std::string& out) const;

private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, unsigned>, std::uint64_t> counts_;
    std::map<std::string, std::unique_ptr<store::histogram>, std::less<>> latency_;
};

/// One histogram in the Prometheus text format; `labels` is "" or `name="value",...`.
void append_histogram(std::string& out, std::string_view name, std::string_view labels,
                      const store::histogram::snapshot& h);

}  // namespace ferry::ingress
