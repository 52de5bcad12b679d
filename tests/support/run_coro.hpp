#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace ferry::test {

/// Runs a coroutine to completion on `io` (running it on this thread) and returns its value.
template <typename T>
T run_coro(boost::asio::io_context& io, boost::asio::awaitable<T> coro) {
    auto future = boost::asio::co_spawn(io, std::move(coro), boost::asio::use_future);
    io.restart();
    while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) io.run_one();
    return future.get();
}

}  // namespace ferry::test
