#include "services/deprecated_calls.hpp"

namespace ferry::ingress {
namespace {

// A Prometheus label value: backslash, quote and newline escaped.
std::string label(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '\\' || c == '"') out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

}  // namespace

void deprecated_calls::count(const std::string& api, std::uint32_t version,
                             const std::string& user) {
    std::lock_guard lock(mutex_);
    auto key = std::make_tuple(api, version, user);
    if (!counts_.contains(key) && counts_.size() >= max_series) std::get<2>(key) = "(other)";
    ++counts_[key];
}

void deprecated_calls::render(std::string& out) const {
    std::lock_guard lock(mutex_);
    if (counts_.empty()) return;
    out +=
        "# HELP ferry_deprecated_api_calls_total Calls to deprecated API versions, by user\n"
        "# TYPE ferry_deprecated_api_calls_total counter\n";
    for (const auto& [key, n] : counts_) {
        const auto& [api, version, user] = key;
        out += "ferry_deprecated_api_calls_total{api=\"" + label(api) + "\",version=\"" +
               std::to_string(version) + "\",user=\"" + label(user) + "\"} " + std::to_string(n) +
               "\n";
    }
}

}  // namespace ferry::ingress
