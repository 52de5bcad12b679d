#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "execute/execution.hpp"
#include "execute/execution_backend.hpp"
#include "ferry/engine/execute/execution_limits.hpp"
#include "ferry/engine/run/run_host.hpp"
#include "ferry/store/records.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::engine {

struct executor_settings;
class partner_limits;

/// Where an executor loop's synchronous replies go. Opened and used on the loop's thread.
class reply_sink {
public:
    virtual ~reply_sink() = default;
    /// A `respond: early` reply: the pages it links to are kept first, then it goes out.
    virtual void send_early(transport::frames reply, kept_answers pages) = 0;
    /// A final reply that links to no later pages, as soon as it is computed (before the
    /// execution's outcome is recorded).
    virtual void send_now(transport::frames reply) = 0;
    /// A reply that links to later pages, once they were recorded with the outcome.
    virtual void send_recorded(transport::frames reply) = 0;
};

/// What the executions of one lease run with.
struct lease_context {
    std::shared_ptr<run_host> host;  // the deployed definitions, and sequences
    execution_limits limits;
    /// Set when they cannot run here (the definitions do not load): each fails with it.
    std::string error;
};

/// What executor loops (execute/executor_loop.hpp) run with, from whoever owns them: the
/// executor pool of a serving process (the store's pending queue, replies to the ingress) or a
/// remote worker (work leased over ZeroMQ, outcomes sent back).
///
/// Concurrency: called from every loop's thread at once; implementations are thread-safe.
class executor_host {
public:
    virtual ~executor_host() = default;

    virtual execution_backend& backend() = 0;
    /// claim_batch, stop_grace.
    virtual const executor_settings& settings() const = 0;
    /// The bound on calls in flight per http_call partner, over every loop.
    virtual partner_limits& partners() = 0;
    /// What the executions of `lease` run with; null when the host gives them up (it stops:
    /// they are neither run nor finished here, and run again elsewhere).
    virtual std::shared_ptr<const lease_context> context_for(const execution_lease& lease) = 0;
    /// Counts and logs executions that ended.
    virtual void count_finished(std::span<store::execution_record> finished) = 0;
    /// Where the calling loop's replies go; null when nobody is answered from here.
    virtual std::unique_ptr<reply_sink> open_replies() = 0;
};

/// Sets the finish time of executions that ended (when not set), counts them and logs each
/// (failures as warnings, successes at debug level).
void count_and_log_finished(std::span<store::execution_record> finished,
                            std::atomic<std::uint64_t>& succeeded,
                            std::atomic<std::uint64_t>& failed);

}  // namespace ferry::engine
