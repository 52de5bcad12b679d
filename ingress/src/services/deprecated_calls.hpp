#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace ferry::ingress {

/// Calls to deprecated API versions by API, version and user, for /metrics
/// (`ferry_deprecated_api_calls_total`): who still has to move before the sunset. At most
/// `max_series` users are told apart; the calls of the others count as user "(other)".
/// Concurrency: thread-safe.
class deprecated_calls {
public:
    static constexpr std::size_t max_series = 1000;

    void count(const std::string& api, std::uint32_t version, const std::string& user);
    /// Appends the counter in the Prometheus text format (nothing when there were no calls).
    void render(std::string& out) const;

private:
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::uint32_t, std::string>, std::uint64_t> counts_;
};

}  // namespace ferry::ingress
