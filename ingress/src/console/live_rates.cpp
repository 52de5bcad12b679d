#include "console/live_rates.hpp"

#include <algorithm>

namespace ferry::ingress::console {
namespace {

// The console's own requests ("admin") are not the traffic an operator watches.
bool watched(std::string_view operation) { return operation != "admin"; }

}  // namespace

live_rates::figures live_rates::update(const request_metrics& metrics,
                                       std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (!samples_.empty() && now - samples_.back().at < std::chrono::milliseconds(950)) {
        return last_;
    }
    samples_.push_back({now, metrics.totals()});
    while (samples_.size() > 11) samples_.pop_front();
    last_ = compute();
    return last_;
}

live_rates::figures live_rates::compute() const {
    figures out;
    if (samples_.size() < 2) return out;
    const auto& newest = samples_.back();
    const auto& before = samples_[samples_.size() - 2];
    const double seconds = std::chrono::duration<double>(newest.at - before.at).count();
    for (const auto& [operation, totals] : newest.totals) {
        if (!watched(operation)) continue;
        request_metrics::operation_totals earlier;
        if (const auto it = before.totals.find(operation); it != before.totals.end()) {
            earlier = it->second;
        }
        operation_rate rate{static_cast<double>(totals.requests - earlier.requests) / seconds,
                            static_cast<double>(totals.errors - earlier.errors) / seconds};
        out.requests_per_second += rate.rate;
        out.errors_per_second += rate.errors;
        out.operations[operation] = rate;
    }
    // p99 over the window: the latency buckets' growth since the oldest sample kept.
    const auto& oldest = samples_.front();
    std::vector<std::uint64_t> grown;
    std::vector<double> bounds;
    for (const auto& [operation, totals] : newest.totals) {
        if (!watched(operation) || totals.latency.cumulative.empty()) continue;
        bounds = totals.latency.bounds;
        grown.resize(totals.latency.cumulative.size());
        const auto it = oldest.totals.find(operation);
        for (std::size_t i = 0; i < grown.size(); ++i) {
            const auto then = it == oldest.totals.end() || it->second.latency.cumulative.empty()
                                  ? 0
                                  : it->second.latency.cumulative[i];
            grown[i] += totals.latency.cumulative[i] - then;
        }
    }
    if (!grown.empty() && grown.back() > 0) {
        const auto wanted = static_cast<double>(grown.back()) * 0.99;
        for (std::size_t i = 0; i < grown.size(); ++i) {
            if (static_cast<double>(grown[i]) >= wanted) {
                out.p99_ms = (i < bounds.size() ? bounds[i] : bounds.back()) * 1000;
                break;
            }
        }
    }
    return out;
}

}  // namespace ferry::ingress::console
