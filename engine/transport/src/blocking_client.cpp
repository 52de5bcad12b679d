#include "ferry/transport/blocking_client.hpp"

#include <cstdio>
#include <zmq.hpp>

#include "socket_frames.hpp"

namespace ferry::transport {

struct blocking_client::impl {
    zmq::socket_t socket;
    impl(context& ctx, const std::string& endpoint)
        : socket(*static_cast<zmq::context_t*>(ctx.native()), zmq::socket_type::dealer) {
        socket.set(zmq::sockopt::linger, 0);
        // A worker's feed receives up to --prefetch executions ahead, and sends outcomes of up
        // to --max-executions-in-flight (memory it holds anyway).
        socket.set(zmq::sockopt::sndhwm, 100000);
        socket.set(zmq::sockopt::rcvhwm, 100000);
        // Frequent reconnect attempts, so a restarted server gets its workers back at once.
        socket.set(zmq::sockopt::reconnect_ivl, 100);
        socket.set(zmq::sockopt::reconnect_ivl_max, 1000);
        socket.connect(endpoint);
    }
};

blocking_client::blocking_client(context& ctx, const std::string& endpoint)
    : impl_(std::make_unique<impl>(ctx, endpoint)) {}

blocking_client::~blocking_client() = default;

bool blocking_client::send(frames message) { return try_send(message); }

bool blocking_client::try_send(frames& message) {
    message.insert(message.begin(), std::string());  // the (unused) correlation frame
    bool sent = false;
    try {
        sent = detail::send_frames(impl_->socket, message);
    } catch (const zmq::error_t& e) {
        std::fprintf(stderr, "ferry transport: send failed: %s\n", e.what());
    }
    message.erase(message.begin());
    return sent;
}

std::optional<frames> blocking_client::receive(std::chrono::milliseconds wait, int wake_fd) {
    zmq::pollitem_t items[2] = {{impl_->socket.handle(), 0, ZMQ_POLLIN, 0},
                                {nullptr, wake_fd, ZMQ_POLLIN, 0}};
    try {
        zmq::poll(items, wake_fd >= 0 ? 2 : 1, wait);
        auto message = detail::receive_frames(impl_->socket);
        if (!message || message->empty()) return std::nullopt;
        message->erase(message->begin());  // the correlation frame
        return message;
    } catch (const zmq::error_t& e) {
        if (e.num() != EINTR && e.num() != ETERM) {
            std::fprintf(stderr, "ferry transport: receive failed: %s\n", e.what());
        }
        return std::nullopt;
    }
}

}  // namespace ferry::transport
