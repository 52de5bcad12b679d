#pragma once

#include <atomic>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "console/live_rates.hpp"
#include "ferry/engine/gateway.hpp"
#include "ferry/ingress/server.hpp"
#include "http/request_metrics.hpp"
#include "routes.hpp"
#include "services/deprecated_calls.hpp"

namespace ferry::ingress {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

/// Counts HTTP responses by status for /metrics.
struct http_counters {
    std::atomic<std::uint64_t> by_class[6] = {};  // index = status / 100
    std::atomic<std::uint64_t> tls_handshake_failures{0};
    void count(unsigned status) {
        by_class[status / 100 < 6 ? status / 100 : 5].fetch_add(1, std::memory_order_relaxed);
    }
};

class user_source;

/// What every connection shares. Owned by the server; outlives every connection.
struct service {
    server_settings settings;
    std::unique_ptr<engine::gateway> gateway;
    std::atomic<server_state> state{server_state::starting};
    std::atomic<std::size_t> in_flight{0};
    http_counters counters;
    request_metrics requests;
    console::live_rates live;                // the console's live figures, from `requests`
    deprecated_calls deprecated;             // calls to deprecated API versions, by user
    std::shared_ptr<user_source> users;      // when any authentication needs users
    ingress::routes routes = make_routes();  // every endpoint (routes.cpp)
};

/// Keeps service::in_flight up to date for one request (RAII).
class in_flight_guard {
public:
    explicit in_flight_guard(service& s) : s_(s) { s_.in_flight.fetch_add(1); }
    ~in_flight_guard() { s_.in_flight.fetch_sub(1); }
    in_flight_guard(const in_flight_guard&) = delete;
    in_flight_guard& operator=(const in_flight_guard&) = delete;

private:
    service& s_;
};

}  // namespace ferry::ingress
