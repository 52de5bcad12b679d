#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "ferry/transport/context.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::transport {

/// A plain, blocking peer of batch_server for a thread that does nothing else while it waits:
/// a remote worker's feed, heartbeat and questions. Messages carry an empty correlation frame, so
/// the server's envelopes work unchanged. Lifecycle: create, use and destroy on one thread (ZeroMQ
/// sockets are not thread-safe), before the context. ZeroMQ reconnects on its own when the server
/// restarts.
class blocking_client {
public:
    blocking_client(context& ctx, const std::string& endpoint);
    ~blocking_client();
    blocking_client(const blocking_client&) = delete;
    blocking_client& operator=(const blocking_client&) = delete;

    /// Queues `message`; false when it cannot (the queue to the server is full).
    bool send(frames message);
    /// The same, leaving `message` as it was when it could not be queued (to send it later).
    bool try_send(frames& message);
    /// The next message from the server, or nullopt when none came within `wait`. With
    /// `wake_fd`, the wait also ends (with nullopt) once that descriptor is readable.
    std::optional<frames> receive(std::chrono::milliseconds wait, int wake_fd = -1);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ferry::transport
