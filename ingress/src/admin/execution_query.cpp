// The execution filter as query parameters, shared by GET /_admin/executions and
// POST /_admin/replays.
#include "admin/execution_query.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace ferry::ingress {

std::optional<std::int64_t> parse_time(std::string_view text) {
    std::int64_t ms = 0;
    if (const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
        ec == std::errc() && end == text.data() + text.size()) {
        return ms;
    }
    std::tm tm{};
    int millis = 0;
    const std::string s(text);
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) !=
        3) {
        return std::nullopt;
    }
    std::string_view rest = std::string_view(s).substr(static_cast<std::size_t>(consumed));
    if (!rest.empty()) {
        int more = 0;
        if (std::sscanf(rest.data(), "T%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
                        &more) != 3) {
            return std::nullopt;
        }
        rest.remove_prefix(static_cast<std::size_t>(more));
        if (rest.starts_with(".")) {
            rest.remove_prefix(1);
            int digits = 0;
            for (; !rest.empty() && rest.front() >= '0' && rest.front() <= '9';
                 rest.remove_prefix(1)) {
                if (digits < 3) {
                    millis = millis * 10 + (rest.front() - '0');
                    ++digits;
                }
            }
            if (digits == 0) return std::nullopt;
            for (; digits < 3; ++digits) millis *= 10;
        }
        if (rest != "Z") return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const auto seconds = timegm(&tm);
    if (seconds < 0) return std::nullopt;
    return static_cast<std::int64_t>(seconds) * 1000 + millis;
}

bool read_filter_parameter(std::string_view key, const std::string& value,
                           store::execution_filter& filter, std::string& bad) {
    if (key == "process") {
        filter.process = value;
    } else if (key == "state") {
        filter.state = store::parse_execution_state(value);
        if (!filter.state) {
            bad = "state must be queued, running, succeeded, failed or cancelled, not '" + value +
                  "'";
        }
    } else if (key == "from" || key == "to") {
        const auto ms = parse_time(value);
        if (!ms) {
            bad = std::string(key) +
                  " must be milliseconds since the epoch or an ISO 8601 UTC "
                  "time such as 2026-11-24T10:00:00Z";
        } else {
            (key == "from" ? filter.from_ms : filter.to_ms) = *ms;
        }
    } else if (key == "error") {
        filter.error_contains = value;
    } else if (key == "replay_of" || key == "correlation_id" || key == "sent_by") {
        filter.property_equals.emplace_back(key, value);
    } else {
        return false;
    }
    return true;
}

}  // namespace ferry::ingress
