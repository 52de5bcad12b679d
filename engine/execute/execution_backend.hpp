#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "execute/execution.hpp"
#include "ferry/store/records.hpp"

namespace ferry::engine {

/// One execution an executor claimed: ready to run, or to be failed with `error`.
struct claimed_execution {
    std::uint64_t seq = 0;  // its place in the backend's queue; 0: low_latency, in memory
    /// Attempt counted, state running, started now (pending_seq = seq). With
    /// claim_request::stored_form, only its id, pending_seq, attempts and document ids.
    store::execution_record record;
    /// With claim_request::stored_form: the whole record as the store holds it
    /// (store::encode_execution()'s bytes), for whoever passes it on rather than reads it.
    /// Empty when it cannot run (`error`).
    std::string stored_record;
    /// Its documents, or with claim_request::stored_form, in their stored form
    /// (store::encode_document()'s bytes) in `stored_documents` instead.
    std::vector<store::document> documents;
    std::vector<std::string> stored_documents;
    /// Set when it cannot run (its record or a document is unreadable, or it is out of
    /// attempts): the executor fails it with this message.
    std::string error;

    bool in_memory() const { return seq == 0; }
};

/// Executions claimed together; they stay claimed until finished or released, or until
/// the lease expires (then they are claimed again by someone else, their attempt counted).
struct execution_lease {
    std::uint64_t id = 0;  // 0: nothing claimed
    std::vector<claimed_execution> executions;

    bool empty() const { return executions.empty(); }
};

struct claim_request {
    /// Who runs them (an executor slot, the remote-worker dispatcher): the backend notes what
    /// each claimer runs, so that an execution that keeps killing the process is given up.
    std::uint32_t claimer = 0;
    std::size_t max = 16;
    bool wait = false;  // block until there is work or the backend stops
    /// 0: held until finished or released (a thread of this process runs them).
    std::chrono::milliseconds lease_for{0};
    /// False: what it runs is not noted, as it runs in another process (a worker), which
    /// cannot take this one down with it. Should this process crash, it runs again without an
    /// attempt counted; a worker that dies gives it back with its attempt counted (release()).
    bool noted = true;
    /// The records and documents in their stored form (claimed_execution::stored_record and
    /// stored_documents): a worker dispatcher sends them on, and is spared decoding them and
    /// encoding them again.
    bool stored_form = false;
};

/// What finish() did besides storing the outcomes.
struct finish_report {
    execution_lease next;  // claimed by `then_claim` and noted in the same write
    /// Executions left out because their lease was lost (expired and taken back): someone
    /// else runs them, and their outcome here is dropped.
    std::vector<std::string> dropped;
};

/// Where executions wait to run and where their outcomes go: the seam between the executors
/// (local threads, the remote-worker dispatcher) and the durable queue behind them. The
/// embedded RocksDB pending queue (pending_queue.hpp) is one implementation; a replicated
/// broker's pull consumer maps onto it as fetch = claim, in-progress = extend, ack after the
/// outcome is stored = finish, nak with delay = release.
///
/// Concurrency: every member is thread-safe.
class execution_backend {
public:
    virtual ~execution_backend() = default;

    /// Claims up to `request.max` executions under one lease. Empty when there is no work (and
    /// `wait` is false) or the backend is stopping.
    virtual execution_lease claim(const claim_request& request) = 0;
    /// Keeps a lease for another `lease_for` from now (0: until finished). False when it was
    /// lost.
    virtual bool extend(std::uint64_t lease, std::chrono::milliseconds lease_for) = 0;
    /// Stores the outcomes of executions of `leases` (records with their pending_seq; those of
    /// in-memory executions are not stored) with what they left in `out`, and removes their
    /// work, in one atomic write; then makes what they started runnable. Answers in `out` are
    /// kept first. With `then_claim`, the claimer's next lease is claimed before the write and
    /// noted in it. Each execution is finished on its own: once the write succeeded, those in
    /// `records` are no longer held, and a lease ends when none of its executions is left
    /// (its others finish later, in another call). After a failed write (nothing written, the
    /// next lease released) they are still held, to finish again.
    virtual boost::system::result<finish_report> finish(
        std::span<const std::uint64_t> leases, std::span<const store::execution_record> records,
        execution_output& out, const claim_request* then_claim = nullptr) = 0;
    /// Gives a lease's executions back, to be claimed again after `delay` (attempt counted).
    virtual void release(std::uint64_t lease, std::chrono::milliseconds delay) = 0;
    /// Calls `signal` (from any thread) whenever new work may be claimable, until
    /// stop_signalling(id) with the id it returns. Claimers that do not block in claim() (the
    /// executor loops, the dispatcher) wait for it.
    virtual std::uint64_t on_new_work(std::function<void()> signal) = 0;
    virtual void stop_signalling(std::uint64_t id) = 0;
    /// Keeps replies and pages for their links (before the reply that links to them goes out).
    virtual void keep_answers(kept_answers& answers) = 0;
    /// `count` consecutive values of a named sequence, never handed out before.
    virtual boost::system::result<std::uint64_t> reserve_sequence(std::string_view name,
                                                                  std::uint64_t count) = 0;
    /// Wakes every waiting claim; claims return empty from now on.
    virtual void stop() = 0;
};

}  // namespace ferry::engine
