#include "ferry/transport/reply_channel.hpp"

#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <zmq.hpp>

#include "ferry/threads/service_thread.hpp"
#include "socket_frames.hpp"

namespace ferry::transport {

struct reply_sender::impl {
    zmq::socket_t socket;
    impl(context& ctx, const std::string& endpoint)
        : socket(*static_cast<zmq::context_t*>(ctx.native()), zmq::socket_type::push) {
        socket.set(zmq::sockopt::linger, 0);
        socket.set(zmq::sockopt::sndhwm, 100000);
        socket.connect(endpoint);
    }
};

reply_sender::reply_sender(context& ctx, const std::string& endpoint)
    : impl_(std::make_unique<impl>(ctx, endpoint)) {}
reply_sender::~reply_sender() = default;

bool reply_sender::send(frames message) {
    try {
        return detail::send_frames(impl_->socket, message);
    } catch (const zmq::error_t& e) {
        std::fprintf(stderr, "ferry transport: reply not sent: %s\n", e.what());
        return false;
    }
}

struct reply_receiver::impl {
    zmq::socket_t socket;
    handler on_message;
    threads::service_thread thread;  // stopped first (~reply_receiver), before the socket

    impl(context& ctx, const std::string& endpoint, handler h)
        : socket(*static_cast<zmq::context_t*>(ctx.native()), zmq::socket_type::pull),
          on_message(std::move(h)) {
        socket.set(zmq::sockopt::linger, 0);
        socket.set(zmq::sockopt::rcvhwm, 100000);
        socket.bind(endpoint);
    }

    void run(const std::stop_token& stop) {
        while (!stop.stop_requested()) {
            zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
            try {
                // A short poll bounds how long stopping takes.
                zmq::poll(&item, 1, std::chrono::milliseconds(50));
                while (auto message = detail::receive_frames(socket))
                    on_message(std::move(*message));
            } catch (const zmq::error_t& e) {
                if (e.num() == ETERM) return;
                if (e.num() != EINTR)
                    std::fprintf(stderr, "ferry transport: replies: %s\n", e.what());
            }
        }
    }
};

reply_receiver::reply_receiver(context& ctx, const std::string& endpoint, handler on_message)
    : impl_(std::make_unique<impl>(ctx, endpoint, std::move(on_message))) {
    impl_->thread.start("ferry-replies", [this](std::stop_token stop) { impl_->run(stop); });
}

reply_receiver::~reply_receiver() { impl_->thread.stop(); }

}  // namespace ferry::transport
