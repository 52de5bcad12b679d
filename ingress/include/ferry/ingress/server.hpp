#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/engine/runtime.hpp"
#include "ferry/ingress/server_settings.hpp"
#include "ferry/transport/context.hpp"

namespace ferry::ingress {

enum class server_state { starting, listening, draining };

/// The HTTP/1.1 front door: Beast on Asio C++20 coroutines, one strand per connection, a pool
/// of `io_threads` threads. Thin: it turns requests into engine submissions and engine answers
/// into responses; no business rules.
///
/// Lifecycle: start() binds and accepts in state `starting` (status 503, posts 503); set_ready()
/// switches to `listening`; drain() to `draining` (status 503, new posts 503, in-flight ones
/// finish); stop() closes everything and joins the threads. The runtime and the transport
/// context must outlive the server.
/// Concurrency: all methods are thread-safe.
class server {
public:
    server(engine::runtime& engine, transport::context& ctx, server_settings settings);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    [[nodiscard]] boost::system::result<void> start();
    void set_ready();
    void drain();
    void stop();

    /// The bound port of listener `index` (settings order).
    std::uint16_t port(std::size_t index = 0) const;
    server_state state() const;
    /// Requests between "body read" and "response written" (what drain waits for).
    std::size_t in_flight() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ferry::ingress
