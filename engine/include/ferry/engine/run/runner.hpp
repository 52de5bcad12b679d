#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ferry/engine/model/process.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/run/run_host.hpp"
#include "ferry/store/records.hpp"

namespace ferry::engine {

class partner_pool;

/// A document on its way through a process.
struct working_document {
    store::document doc;
    std::size_t index = 0;               // the request document it came from
    std::vector<std::uint32_t> lineage;  // branch and try tags it passed (internal bookkeeping)
};

/// What one execution keeps of its run. The defaults of `ferry serve --max-trace-entries`,
/// `--max-kept-documents` and `--max-kept-bytes`, set here only.
struct kept_limits {
    std::size_t max_trace_entries = 1000;    // step runs traced; later ones are only counted
    std::size_t max_kept_documents = 1000;   // step outputs kept (general mode), over all steps
    std::size_t max_kept_bytes = 16u << 20;  // and their bytes
};

struct run_settings {
    std::string files_root;  // file_write writes below this directory
    /// Processes for process_call, queue listeners for queue_send, sequential values (the
    /// executor's never repeat). Null: no process is found, nobody listens, no values.
    run_host* host = nullptr;
    std::size_t call_depth = 0;  // process_call nesting, bounded against runaway recursion
    /// Called once, when the first `respond: early` return step is reached, with the documents
    /// that have reached return steps so far: the synchronous caller is answered with them.
    std::function<void(const std::vector<working_document>&)> on_respond_early;
    bool keep_step_documents = false;  // general mode: each step's output goes into the trace
    /// A dry run (replay): http_call and file_write pass their documents on untouched instead
    /// of calling out or writing.
    bool stub_connectors = false;
    kept_limits kept{};  // per execution, over all steps
    /// The executor thread's kept-alive partner connections and the bound per partner
    /// (run/partner_connections.hpp). Null: each http_call opens a connection of its own.
    partner_pool* partners = nullptr;
    /// Counts the runs that wait now (a partner's answer, a pause between attempts): the
    /// executor loop's gauge. Null: not counted.
    std::atomic<std::size_t>* waiting = nullptr;
};

/// What one step did in one run (a step inside a branch path, or retried, runs more than once).
struct step_trace {
    std::string step;  // step id
    std::string kind;  // message, branch, ...
    std::uint32_t documents_in = 0;
    std::uint32_t documents_out = 0;  // passed on (or into its paths)
    std::uint32_t documents_failed = 0;
    std::int64_t started_ms = 0;
    std::uint32_t micros = 0;              // including the paths it opened
    std::string error;                     // the first document error, "" when none
    std::vector<store::document> outputs;  // with keep_step_documents, within the limits
};

/// A document that failed, and where.
struct document_failure {
    std::string step;
    std::string error;
    working_document document;
};

/// An execution a process_call without wait or a queue_send asks for: queued when this
/// execution finishes.
struct started_execution {
    std::string process;
    std::uint32_t process_version = 0;
    store::properties process_props;
    std::vector<store::document> documents;
    /// A queue message that waits for a listener: nobody listens (process ""), or `process`
    /// is a paused subscriber of a published message.
    std::string parked_on;
};

/// How a run ended.
struct run_outcome {
    /// False when any document failed (uncaught) or the execution was failed.
    bool ok = true;
    std::string failed_step;  // the first failure's step and message
    std::string error;
    bool stopped = false;  // a stop step ended the execution (successfully)
    std::vector<document_failure> failures;
    std::vector<working_document> returned;  // documents that reached a return step
    bool respond_early = false;              // a return step with respond: early was reached
    std::vector<working_document> outputs;   // documents that ran off the end of a path
    std::vector<step_trace> trace;
    std::uint64_t untraced_steps = 0;        // step runs past max_trace_entries
    store::properties process_props;         // as the steps left them
    std::vector<started_execution> started;  // by process_call without wait
};

/// Runs `p` over the documents of one execution (SPEC §3): steps take all documents at once,
/// in order; paths run one after the other, each to completion. A coroutine on the caller's
/// executor: while a step waits (an http_call's partner, a retry's pause, a called process
/// that waits) the run is suspended and the thread runs other work. The arguments must
/// outlive the run. Stateless and thread-safe: executors run many at once.
boost::asio::awaitable<run_outcome> run_process(const process& p,
                                                const store::execution_record& execution,
                                                std::vector<working_document> documents,
                                                const run_settings& settings);
/// The same, run to its end on the calling thread (run_blocking.hpp).
run_outcome run_process_blocking(const process& p, const store::execution_record& execution,
                                 std::vector<working_document> documents,
                                 const run_settings& settings);

}  // namespace ferry::engine
