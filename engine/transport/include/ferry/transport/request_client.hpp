#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <memory>
#include <string>

#include "ferry/transport/context.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::transport {

/// Asynchronous request/reply over a ZeroMQ DEALER socket: each request carries a correlation
/// id, and the reply with the same id completes the awaiting coroutine, whatever order replies
/// come back in. Pairs with batch_server (ROUTER) on the other end.
///
/// Concurrency: request() may be awaited from any executor and thread; it sends at once from
/// the caller's thread. The socket is used under a lock (ZeroMQ sockets are not thread-safe),
/// watched through ZMQ_FD with stream_descriptor::async_wait and drained until EAGAIN.
/// Back pressure: a send that would block fails at once with errc::busy; the I/O thread never
/// blocks.
/// Lifecycle: close() fails every waiting request with errc::shutting_down; destroy after the
/// io_context's threads have stopped or after close() completes.
class request_client {
public:
    request_client(context& ctx, boost::asio::any_io_executor executor, std::string endpoint);
    ~request_client();
    request_client(const request_client&) = delete;
    request_client& operator=(const request_client&) = delete;

    /// Sends `request` and completes with the reply's frames (correlation frame removed).
    [[nodiscard]] boost::asio::awaitable<boost::system::result<frames>> request(frames request);

    void close();

    struct impl;  // defined in src/; public only so that its helpers can name it

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace ferry::transport
