#include "ferry/transport/request_client.hpp"

#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <zmq.hpp>

#include "ferry/transport/error.hpp"
#include "socket_frames.hpp"

namespace ferry::transport {
namespace asio = boost::asio;
using reply_handler = asio::any_completion_handler<void(boost::system::error_code, frames)>;

/// A waiting request: its completion handler and the executor to resume it on.
struct waiter {
    asio::any_io_executor executor;
    reply_handler handler;
};

struct request_client::impl : std::enable_shared_from_this<impl> {
    asio::any_io_executor io;
    // ZeroMQ sockets are not thread-safe: the socket, its descriptor watch and the waiting
    // requests are touched under this lock, by whichever thread sends or drains. A lock rather
    // than a strand: a request is sent at once from the caller's thread, without a trip
    // through the event loop's queue behind every other connection's work.
    std::mutex mutex;
    zmq::socket_t socket;
    asio::posix::stream_descriptor watch;
    std::unordered_map<std::uint64_t, waiter> waiting;
    std::uint64_t next_id = 1;
    bool closed = false;
    std::atomic<bool> drain_scheduled{false};

    impl(context& ctx, asio::any_io_executor executor, const std::string& endpoint)
        : io(std::move(executor)),
          socket(*static_cast<zmq::context_t*>(ctx.native()), zmq::socket_type::dealer),
          watch(io) {
        socket.set(zmq::sockopt::linger, 0);
        socket.set(zmq::sockopt::sndhwm, 100000);
        socket.set(zmq::sockopt::rcvhwm, 100000);
        socket.connect(endpoint);
        watch.assign(socket.get(zmq::sockopt::fd));
    }

    ~impl() {
        // ZeroMQ owns the descriptor: release it so that Asio does not close it.
        watch.release();
    }

    void arm() {
        std::lock_guard lock(mutex);
        if (closed) return;
        watch.async_wait(asio::posix::stream_descriptor::wait_read,
                         [self = shared_from_this()](boost::system::error_code ec) {
                             if (!ec) self->arm();
                         });
        // ZMQ_FD is edge-triggered: a message that arrived before the wait was registered
        // would never signal it, so look once more now that it is.
        drain_locked();
    }

    void drain() {
        std::lock_guard lock(mutex);
        drain_locked();
    }

    // Takes every queued reply. Must run until EAGAIN: that re-arms ZeroMQ's signal.
    void drain_locked() {
        while (!closed) {
            auto message = detail::receive_frames(socket);
            if (!message) return;
            deliver(std::move(*message));
        }
    }

    void deliver(frames message) {
        if (message.empty() || message.front().size() != sizeof(std::uint64_t)) {
            std::fprintf(stderr, "ferry transport: reply without correlation id dropped\n");
            return;
        }
        std::uint64_t id = 0;
        std::memcpy(&id, message.front().data(), sizeof id);
        const auto it = waiting.find(id);
        if (it == waiting.end()) return;  // the caller gave up; nothing waits for it
        auto w = std::move(it->second);
        waiting.erase(it);
        message.erase(message.begin());
        complete(std::move(w), {}, std::move(message));
    }

    static void complete(waiter w, boost::system::error_code ec, frames reply) {
        // Resume the caller on its own executor (posted: never inside the lock's holder).
        auto executor = w.executor;
        asio::post(executor,
                   [handler = std::move(w.handler), ec, reply = std::move(reply)]() mutable {
                       std::move(handler)(ec, std::move(reply));
                   });
    }

    void start(frames request, waiter handler) {
        {
            std::lock_guard lock(mutex);
            if (closed) {
                complete(std::move(handler), errc::shutting_down, {});
                return;
            }
            const std::uint64_t id = next_id++;
            request.insert(request.begin(),
                           std::string(reinterpret_cast<const char*>(&id), sizeof id));
            bool sent = false;
            try {
                sent = detail::send_frames(socket, request);
            } catch (const zmq::error_t& e) {
                std::fprintf(stderr, "ferry transport: send failed: %s\n", e.what());
                complete(std::move(handler), errc::socket_failure, {});
                return;
            }
            if (!sent) {
                complete(std::move(handler), errc::busy, {});
                return;
            }
            waiting.emplace(id, std::move(handler));
        }
        schedule_drain();
    }

    // A send can consume the descriptor's edge while replies are queued, so every send must be
    // followed by a drain; one drain after a burst of sends covers them all, and each drain
    // costs ZeroMQ several system calls.
    void schedule_drain() {
        if (drain_scheduled.exchange(true)) return;
        asio::post(io, [self = shared_from_this()] {
            self->drain_scheduled = false;
            self->drain();
        });
    }

    void shut() {
        std::lock_guard lock(mutex);
        closed = true;
        boost::system::error_code ignored;
        watch.cancel(ignored);
        for (auto& [id, w] : waiting) complete(std::move(w), errc::shutting_down, {});
        waiting.clear();
    }
};

request_client::request_client(context& ctx, asio::any_io_executor executor, std::string endpoint)
    : impl_(std::make_shared<impl>(ctx, std::move(executor), endpoint)) {
    impl_->arm();
}

request_client::~request_client() { close(); }

void request_client::close() { impl_->shut(); }

namespace {

template <typename Token>
auto async_request(std::shared_ptr<request_client::impl> self, frames request, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, frames)>(
        [](auto handler, std::shared_ptr<request_client::impl> self, frames request) {
            auto executor = asio::get_associated_executor(handler, self->io);
            self->start(std::move(request),
                        waiter{asio::any_io_executor(executor), reply_handler(std::move(handler))});
        },
        token, std::move(self), std::move(request));
}

}  // namespace

asio::awaitable<boost::system::result<frames>> request_client::request(frames request) {
    auto [ec, reply] =
        co_await async_request(impl_, std::move(request), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return ec;
    co_return std::move(reply);
}

}  // namespace ferry::transport
