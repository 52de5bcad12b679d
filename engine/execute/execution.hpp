#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/engine/execute/execution_limits.hpp"
#include "ferry/engine/model/process.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/run/run_host.hpp"
#include "ferry/store/records.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::engine {

/// Answers to keep in the store (key, value): "reply/<id>", "page/<token>".
using kept_answers = std::vector<std::pair<std::string, std::string>>;

/// What an execution needs from whoever runs it: a local executor (with the store at hand) or
/// a remote worker (which asks the serving process over ZeroMQ).
struct execution_services {
    /// Processes (the active one, or the version a stored execution runs on), queue listeners,
    /// sequential values. Null: nothing is found (the execution fails as undeployed).
    run_host* host = nullptr;
    /// Sends a reply at once (respond: early), after keeping `pages` (the later pages it links
    /// to). Empty: no synchronous caller can be answered from here.
    std::function<void(transport::frames reply, kept_answers pages)> respond_now;
    bool in_memory = false;  // low_latency: nothing of the execution itself is stored
    /// Partner connections of the executor thread (null: a connection per call).
    partner_pool* partners = nullptr;
    /// The executor loop's count of executions that wait (run_settings::waiting).
    std::atomic<std::size_t>* waiting = nullptr;
};

/// What running executions leaves for the finishing write and for the callers.
struct execution_output {
    std::vector<std::pair<std::string, store::document>> kept;  // step outputs (general mode)
    /// By process_call without wait and queue_send, and redeliveries of failed queue messages.
    std::vector<store::new_execution> started;
    std::vector<store::dead_letter> dead;    // queue messages whose last delivery failed
    std::vector<transport::frames> replies;  // sent once the finish is written
    kept_answers answers;  // written before the finish (replies and their later pages)
    /// Outcomes a worker sent, passed on in their stored form by the dispatcher (records
    /// beside the finish's decoded ones, step outputs beside `kept`).
    store::encoded_outcomes encoded;
};

/// Runs one execution over its documents without touching the store: fills in `rec`'s
/// outcome (state, error, trace, finished_ms) and adds to `out`. A coroutine (the run waits
/// without holding its thread, run/runner.hpp); every argument must outlive it. Thread-safe.
boost::asio::awaitable<void> run_execution(store::execution_record& rec,
                                           std::vector<store::document> documents,
                                           const execution_limits& limits,
                                           const execution_services& services,
                                           execution_output& out);

/// run_execution without the queue's redelivery: just the process over the documents.
boost::asio::awaitable<void> run_process_of(store::execution_record& rec,
                                            std::vector<store::document> documents,
                                            const execution_limits& limits,
                                            const execution_services& services,
                                            execution_output& out);

/// Fails `rec` with `error` before it could run, answering its synchronous caller if any.
void fail_execution(store::execution_record& rec, std::string error,
                    const execution_services& services, execution_output& out);

}  // namespace ferry::engine
