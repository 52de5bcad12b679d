#include "support/admin_client.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cstdlib>
#include <thread>

#include "support/http_client.hpp"

namespace ferry::test {

boost::json::object wait_finished(std::uint16_t port, const std::string& id,
                                  std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    // Every answer lists the execution's documents (100,000 ids for a bulk post): poll often at
    // first, then back off so that polling does not slow the execution it waits for.
    auto poll = std::chrono::milliseconds(20);
    for (;;) {
        const auto res = http_request(port, "GET", "/_admin/executions/" + id);
        if (res.status != 200) {
            // Not (yet) in this server's history: a cluster node follows the others' outcomes
            // a moment later. At the deadline the state says what was answered instead.
            if (std::chrono::steady_clock::now() > deadline) {
                return {{"state", "absent: " + std::to_string(res.status) + " " + res.body}};
            }
            std::this_thread::sleep_for(poll);
            poll = std::min(poll * 2, std::chrono::milliseconds(500));
            continue;
        }
        auto body = boost::json::parse(res.body).as_object();
        const auto state = body.at("state").as_string();
        if (state == "succeeded" || state == "failed" ||
            std::chrono::steady_clock::now() > deadline) {
            return body;
        }
        std::this_thread::sleep_for(poll);
        poll = std::min(poll * 2, std::chrono::milliseconds(500));
    }
}

std::string metric(std::uint16_t port, const std::string& name) {
    const auto text = http_request(port, "GET", "/metrics").body;
    const auto at = text.find("\n" + name + " ");
    if (at == std::string::npos) return "";
    const auto start = at + name.size() + 2;
    return text.substr(start, text.find('\n', start) - start);
}

std::string settled_metric(std::uint16_t port, const std::string& name, std::uint64_t expected,
                           std::chrono::seconds limit, std::chrono::milliseconds settle) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const auto value = metric(port, name);
        const bool reached =
            !value.empty() && std::strtoull(value.c_str(), nullptr, 10) >= expected;
        if (reached || std::chrono::steady_clock::now() > deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::this_thread::sleep_for(settle);
    return metric(port, name);
}

}  // namespace ferry::test
