#include "ferry/transport/batch_server.hpp"

#include <cstdio>
#include <zmq.hpp>

#include "ferry/transport/error.hpp"
#include "socket_frames.hpp"

namespace ferry::transport {

struct batch_server::impl {
    zmq::socket_t socket;

    impl(context& ctx, const std::string& endpoint)
        : socket(*static_cast<zmq::context_t*>(ctx.native()), zmq::socket_type::router) {
        socket.set(zmq::sockopt::linger, 0);
        socket.set(zmq::sockopt::sndhwm, 100000);
        socket.set(zmq::sockopt::rcvhwm, 100000);
        socket.bind(endpoint);
    }
};

batch_server::batch_server(context& ctx, const std::string& endpoint)
    : impl_(std::make_unique<impl>(ctx, endpoint)) {}

batch_server::~batch_server() = default;

boost::system::result<std::vector<envelope>> batch_server::receive_batch(
    std::size_t max, std::chrono::milliseconds wait_for) {
    auto ready = wait(wait_for, -1);
    if (!ready) return ready.error();
    if (!ready->requests) return std::vector<envelope>{};
    return take(max);
}

boost::system::result<batch_server::readiness> batch_server::wait(
    std::chrono::milliseconds wait_for, int descriptor) {
    zmq::pollitem_t items[2] = {{impl_->socket.handle(), 0, ZMQ_POLLIN, 0},
                                {nullptr, descriptor, ZMQ_POLLIN, 0}};
    try {
        zmq::poll(items, descriptor >= 0 ? 2 : 1, wait_for);
    } catch (const zmq::error_t& e) {
        if (e.num() == ETERM) return errc::shutting_down;
        if (e.num() == EINTR) return readiness{};
        std::fprintf(stderr, "ferry transport: poll failed: %s\n", e.what());
        return errc::socket_failure;
    }
    return readiness{(items[0].revents & ZMQ_POLLIN) != 0,
                     descriptor >= 0 && (items[1].revents & ZMQ_POLLIN) != 0};
}

boost::system::result<std::vector<envelope>> batch_server::take(std::size_t max) {
    std::vector<envelope> batch;
    try {
        while (batch.size() < max) {
            auto message = detail::receive_frames(impl_->socket);
            if (!message) break;
            if (message->size() < 2) {
                std::fprintf(stderr, "ferry transport: request without correlation dropped\n");
                continue;
            }
            envelope request;
            request.routing_id = std::move((*message)[0]);
            request.correlation = std::move((*message)[1]);
            request.body.assign(std::make_move_iterator(message->begin() + 2),
                                std::make_move_iterator(message->end()));
            batch.push_back(std::move(request));
        }
    } catch (const zmq::error_t& e) {
        if (e.num() == ETERM) return errc::shutting_down;
        std::fprintf(stderr, "ferry transport: receive failed: %s\n", e.what());
        return errc::socket_failure;
    }
    return batch;
}

boost::system::result<void> batch_server::reply(const envelope& to, frames body) {
    body.insert(body.begin(), to.correlation);
    body.insert(body.begin(), to.routing_id);
    try {
        // ROUTER drops messages for unknown or full peers instead of blocking: a requester
        // that disconnected simply never reads its reply.
        detail::send_frames(impl_->socket, body);
    } catch (const zmq::error_t& e) {
        if (e.num() == ETERM) return errc::shutting_down;
        std::fprintf(stderr, "ferry transport: reply failed: %s\n", e.what());
        return errc::socket_failure;
    }
    return {};
}

}  // namespace ferry::transport
