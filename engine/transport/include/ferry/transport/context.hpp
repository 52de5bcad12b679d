#pragma once

#include <memory>

namespace ferry::transport {

/// Owns the ZeroMQ context shared by every socket of one process.
/// Lifecycle: create first, destroy last: every socket made from it must be closed before.
/// Concurrency: thread-safe (ZeroMQ contexts are).
class context {
public:
    context();
    ~context();
    context(const context&) = delete;
    context& operator=(const context&) = delete;

    /// Opaque handle for the socket classes of this library (a zmq::context_t*).
    void* native() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ferry::transport
