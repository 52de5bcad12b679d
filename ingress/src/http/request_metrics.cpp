#include "http/request_metrics.hpp"

#include <cstdio>

namespace ferry::ingress {
namespace {

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", v);
    return text;
}

}  // namespace

void request_metrics::record(const std::string& operation, unsigned status, double seconds) {
    std::lock_guard lock(mutex_);
    ++counts_[{operation, status}];
    auto it = latency_.find(operation);
    if (it == latency_.end()) {
        it =
            latency_
                .emplace(operation, std::make_unique<store::histogram>(store::histogram::latency()))
                .first;
    }
    it->second->observe(seconds);
}

std::map<std::string, request_metrics::operation_totals, std::less<>> request_metrics::totals()
    const {
    std::map<std::string, operation_totals, std::less<>> out;
    std::lock_guard lock(mutex_);
    for (const auto& [key, count] : counts_) {
        auto& totals = out[key.first];
        totals.requests += count;
        if (key.second >= 400) totals.errors += count;
    }
    for (const auto& [operation, h] : latency_) out[operation].latency = h->read();
    return out;
}

void request_metrics::render(std::string& out) const {
    std::lock_guard lock(mutex_);
    out +=
        "# HELP ferry_requests_total HTTP requests by operation and status\n"
        "# TYPE ferry_requests_total counter\n";
    for (const auto& [key, count] : counts_) {
        out += "ferry_requests_total{operation=\"" + key.first + "\",code=\"" +
               std::to_string(key.second) + "\"} " + std::to_string(count) + "\n";
    }
    out +=
        "# HELP ferry_request_seconds Time from a request's header to its response, by "
        "operation\n"
        "# TYPE ferry_request_seconds histogram\n";
    for (const auto& [operation, h] : latency_) {
        append_histogram(out, "ferry_request_seconds", "operation=\"" + operation + "\"",
                         h->read());
    }
}

void append_histogram(std::string& out, std::string_view name, std::string_view labels,
                      const store::histogram::snapshot& h) {
    const std::string prefix(name);
    const std::string extra = labels.empty() ? "" : std::string(labels) + ",";
    for (std::size_t i = 0; i < h.bounds.size(); ++i) {
        out += prefix + "_bucket{" + extra + "le=\"" + number(h.bounds[i]) + "\"} " +
               std::to_string(h.cumulative[i]) + "\n";
    }
    out +=
        prefix + "_bucket{" + extra + "le=\"+Inf\"} " + std::to_string(h.cumulative.back()) + "\n";
    const std::string braces = labels.empty() ? "" : "{" + std::string(labels) + "}";
    out += prefix + "_sum" + braces + " " + number(h.sum) + "\n";
    out += prefix + "_count" + braces + " " + std::to_string(h.cumulative.back()) + "\n";
}

}  // namespace ferry::ingress
