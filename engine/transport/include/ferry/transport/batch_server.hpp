#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ferry/transport/context.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::transport {

/// One request as received by batch_server: where to send the reply, and its frames.
struct envelope {
    std::string routing_id;   // the requesting DEALER socket
    std::string correlation;  // echoed back so the requester can match the reply
    frames body;
};

/// The serving end of request_client: a ZeroMQ ROUTER socket read in batches, for a service
/// that does one expensive thing per batch (the intake's group commit).
///
/// Concurrency: not thread-safe; owned and used by one dedicated thread, which may block.
class batch_server {
public:
    /// Binds `endpoint` (inproc://... or tcp://...).
    batch_server(context& ctx, const std::string& endpoint);
    ~batch_server();
    batch_server(const batch_server&) = delete;
    batch_server& operator=(const batch_server&) = delete;

    /// Waits up to `wait` for a first request, then takes every request already queued, up to
    /// `max`. An empty vector means the wait timed out.
    [[nodiscard]] boost::system::result<std::vector<envelope>> receive_batch(
        std::size_t max, std::chrono::milliseconds wait);

    /// What wait() saw become ready.
    struct readiness {
        bool requests = false;
        bool descriptor = false;
    };
    /// Waits up to `wait` until a request is queued or `descriptor` (any pollable fd the
    /// caller owns, e.g. an eventfd; -1 for none) is readable.
    [[nodiscard]] boost::system::result<readiness> wait(std::chrono::milliseconds wait,
                                                        int descriptor);

    /// Takes the requests already queued, up to `max`, without waiting.
    [[nodiscard]] boost::system::result<std::vector<envelope>> take(std::size_t max);

    /// Sends the reply to `to`. A requester that has gone away is not an error.
    [[nodiscard]] boost::system::result<void> reply(const envelope& to, frames body);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ferry::transport
