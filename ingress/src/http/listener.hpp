#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "ferry/ingress/server.hpp"
#include "http/route_table.hpp"

namespace boost::asio::ssl {
class context;
}

namespace ferry::ingress {

class rate_limiter;

/// One listening port as its connections see it. Owned by the server; outlives them.
struct listener {
    listener_settings settings;
    std::shared_ptr<rate_limiter> rate;              // with a rate limit
    std::shared_ptr<boost::asio::ssl::context> tls;  // HTTPS
    std::atomic<std::size_t> connections{0};
    std::uint16_t port = 0;

    /// Whether this port serves routes of `role` (its listener_role).
    bool serves(route_role role) const {
        if (settings.role == listener_role::all || role == route_role::any) return true;
        return (settings.role == listener_role::admin) == (role == route_role::admin);
    }
};

/// Counts an open connection against its listener's limit (RAII).
class connection_count {
public:
    explicit connection_count(listener& l) : l_(l) {}
    ~connection_count() { l_.connections.fetch_sub(1); }
    connection_count(const connection_count&) = delete;
    connection_count& operator=(const connection_count&) = delete;

private:
    listener& l_;
};

}  // namespace ferry::ingress
