#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <vector>

#include "execute/execution.hpp"
#include "execute/execution_backend.hpp"
#include "execute/executor_host.hpp"
#include "ferry/engine/execute/executor.hpp"
#include "ferry/transport/frames.hpp"
#include "run/partner_connections.hpp"

namespace ferry::engine {

/// One executor thread's work. Claimed executions run on the loop's io_context as coroutines,
/// up to `max_in_flight` at once: an execution that waits (a partner's answer, a pause between
/// attempts) holds its memory and nothing else, and the thread computes the others meanwhile.
/// The loop's rounds claim work and record what finished, as the executors always did: the
/// executions that finished since the last round in one write, the next claim noted in it.
///
/// Concurrency: run() belongs to the thread that owns the loop; signal() is called from any
/// thread. Everything else happens on the loop's thread.
class executor_loop {
public:
    executor_loop(executor_host& host, std::uint32_t slot, std::size_t max_in_flight);
    ~executor_loop();
    executor_loop(const executor_loop&) = delete;
    executor_loop& operator=(const executor_loop&) = delete;

    /// Claims, runs and finishes executions until `stop` is requested; then lets those in
    /// flight end for at most the host's stop grace. Executions still waiting after it are left
    /// unfinished: their work stays queued and runs again after a restart.
    void run(const std::stop_token& stop);
    /// New work may be claimable (the backend's signal). Thread-safe.
    void signal();
    /// Executions claimed and not yet finished (waiting or computing).
    std::size_t in_flight() const { return in_flight_count_.load(std::memory_order_relaxed); }
    /// Of those, the executions that wait now (a partner's answer, a pause between attempts).
    std::size_t waiting() const { return waiting_count_.load(std::memory_order_relaxed); }
    /// What this thread's partner connections did. Thread-safe.
    partner_pool::stats partner_counts() const { return partners_.counts(); }
    /// Adds this loop's executions in flight and waiting, and its partner connection counts.
    void add_figures(executor_stats& out) const;

private:
    using clock = std::chrono::steady_clock;

    /// What finished since the last round's write.
    struct finished_round {
        std::vector<std::uint64_t> leases;
        std::vector<store::execution_record> records;
        execution_output out;
        bool empty() const { return records.empty(); }
    };

    boost::asio::awaitable<void> rounds();
    boost::asio::awaitable<void> run_claimed(std::uint64_t lease, claimed_execution claimed,
                                             std::shared_ptr<const lease_context> context);
    /// Starts every execution of a lease (they run once the round waits).
    void start(execution_lease lease);
    /// Records the round's finished executions in one write (with the next claim, started);
    /// true when that claim started executions. A write the store refused is tried again
    /// after a pause.
    bool finish_round(std::size_t room);
    /// Claims what there is room for and starts it; true when it started executions.
    bool claim();
    void finished(std::uint64_t lease, store::execution_record record, execution_output out);
    void send_reply(transport::frames reply);
    std::size_t room() const;
    /// Ends the round's wait (on the loop's thread).
    void wake_up();

    executor_host& host_;
    execution_backend& backend_;
    const std::uint32_t slot_;
    const std::size_t max_in_flight_;

    // The loop's thread only.
    std::size_t in_flight_ = 0;
    finished_round finished_;
    bool stopping_ = false;
    clock::time_point grace_end_{};
    clock::time_point write_again_at_{};
    std::chrono::milliseconds write_pause_{100};
    int failed_writes_ = 0;
    std::unique_ptr<reply_sink> replies_;  // null: nobody is answered from here

    partner_pool partners_;                  // this thread's kept-alive partner connections
    std::atomic<bool> wants_signal_{false};  // the round is about to wait: a signal wakes it
    std::atomic<std::size_t> in_flight_count_{0};
    std::atomic<std::size_t> waiting_count_{0};  // run_settings::waiting of its executions
    // Declared last, destroyed first (~executor_loop): executions abandoned at stop are
    // destroyed with the io_context while the rest of the loop is still intact.
    std::optional<boost::asio::io_context> ctx_;
    std::optional<boost::asio::steady_timer> wake_;
};

}  // namespace ferry::engine
