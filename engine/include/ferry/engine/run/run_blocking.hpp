#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <utility>

namespace ferry::engine {

/// Runs a coroutine to its end on the calling thread, on an io_context of its own, and returns
/// its result (or throws what it threw). For callers that have a thread to spend on one run:
/// `ferry test`, a replay's dry run, tests. The executors never block on a run.
template <class T>
T run_blocking(boost::asio::awaitable<T> work) {
    boost::asio::io_context here(1);
    auto done = boost::asio::co_spawn(here, std::move(work), boost::asio::use_future);
    here.run();
    return done.get();
}

}  // namespace ferry::engine
