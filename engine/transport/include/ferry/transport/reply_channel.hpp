#pragma once

#include <functional>
#include <memory>
#include <string>

#include "ferry/transport/context.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::transport {

/// The executor side of synchronous replies: a PUSH socket connected to the reply receiver.
/// Lifecycle: create and use on one thread (ZeroMQ sockets are not thread-safe); destroy
/// before the context. Connecting before the receiver binds is fine (inproc and tcp).
class reply_sender {
public:
    reply_sender(context& ctx, const std::string& endpoint);
    ~reply_sender();
    reply_sender(const reply_sender&) = delete;
    reply_sender& operator=(const reply_sender&) = delete;

    /// Sends without blocking; false when the receiver is gone or not keeping up (the reply is
    /// dropped: the caller's wait ends with its timeout, the execution stays stored).
    bool send(frames message);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// The ingress side: a PULL socket bound at `endpoint`, read by its own thread (never an
/// Asio I/O thread), which hands every message to `handler`.
/// Lifecycle: binds and starts in the constructor; the destructor stops the thread and closes
/// the socket, and must run before the context is destroyed.
class reply_receiver {
public:
    using handler = std::function<void(frames)>;
    reply_receiver(context& ctx, const std::string& endpoint, handler on_message);
    ~reply_receiver();
    reply_receiver(const reply_receiver&) = delete;
    reply_receiver& operator=(const reply_receiver&) = delete;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ferry::transport
