#pragma once

#include <optional>
#include <zmq.hpp>

#include "ferry/transport/frames.hpp"

namespace ferry::transport::detail {

/// Sends all frames without blocking. False when the queue is full (nothing was sent, because
/// ZeroMQ queues a multipart message atomically once its first frame is accepted).
inline bool send_frames(zmq::socket_t& socket, frames& out) {
    for (std::size_t i = 0; i < out.size(); ++i) {
        auto flags = zmq::send_flags::dontwait;
        if (i + 1 < out.size()) flags = flags | zmq::send_flags::sndmore;
        const auto sent = socket.send(zmq::buffer(out[i]), flags);
        if (!sent) return false;  // only the first frame can hit the high-water mark
    }
    return true;
}

/// Receives one whole multipart message without blocking; nullopt when none is queued.
inline std::optional<frames> receive_frames(zmq::socket_t& socket) {
    frames in;
    zmq::message_t part;
    if (!socket.recv(part, zmq::recv_flags::dontwait)) return std::nullopt;
    in.emplace_back(part.to_string());
    while (part.more()) {
        (void)socket.recv(part, zmq::recv_flags::none);  // the rest of a message is already here
        in.emplace_back(part.to_string());
    }
    return in;
}

}  // namespace ferry::transport::detail
