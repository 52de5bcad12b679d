#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "run/steps.hpp"

namespace ferry::engine {

class run_state;

/// One step's run inside an execution: what the step reports for its trace line.
struct step_run {
    run_state& run;
    const step& at;
    std::vector<working_document> passed{};  // passed on along the path the step is on
    std::uint32_t out = 0;                   // passed on, or sent into the step's paths
    std::uint32_t failed = 0;
    std::string first_error{};

    /// Documents that failed at this step: counted here and recorded as the run's failures
    /// at once (a branch or try_catch around this step sees them in order).
    void fail(std::vector<std::pair<working_document, std::string>> failures);
    /// Passes documents on along this path.
    void pass(std::vector<working_document> documents);
};

/// True when a return step is reachable on `steps` (inside its paths too).
bool has_return(const step_list& steps);

/// One execution's run: walks the step tree, keeps the trace and collects failures. The steps
/// that open paths (branch, decision, route, try_catch) run them through it; process_call,
/// return and queue_send add to its outcome.
class run_state {
public:
    run_state(const process& p, const store::execution_record& execution,
              const run_settings& settings);

    boost::asio::awaitable<run_outcome> run(std::vector<working_document> in);

    step_context& context() { return ctx_; }
    run_outcome& outcome() { return outcome_; }

    /// Runs `steps` over `docs` to the end of the path, or until the execution halts;
    /// documents that run off the end are the execution's outputs. Suspends while a step
    /// waits (run/steps.hpp).
    boost::asio::awaitable<void> run_path(const step_list& steps,
                                          std::vector<working_document> docs);
    /// Same, with the documents that fail on the path collected apart and returned instead of
    /// failing the execution (a try path).
    boost::asio::awaitable<std::vector<document_failure>> run_path_catching(
        const step_list& steps, std::vector<working_document> docs);

    // respond: early (SPEC §3) answers "as soon as no path that can still reach a return step
    // is running": a step watches each of its paths from the moment it starts until the path
    // has finished (or was skipped), and the reply goes out once an early return was reached
    // and no watched path is left.
    void watch(const step_list& path);
    void finished(const step_list& path);
    /// A return step with respond: early was reached.
    void respond_early();

    bool halted() const { return halt_ != halt::none; }
    /// A stop step ends the execution, successfully.
    void stop();
    /// The execution fails at `s` (an exception step with execution: true).
    void fail_execution(const step& s, const std::string& error);
    /// Takes back an execution-level failure (try_catch with catch_all): its step and error,
    /// or nothing when the execution has not failed.
    std::optional<std::pair<std::string, std::string>> take_execution_failure();

    // Lineage tags: a branch or try tags the documents it takes, so that a failure further
    // down the path is traced back to the document it came from.
    using tag_range = std::pair<std::uint32_t, std::uint32_t>;  // [first, second)
    tag_range tag(std::vector<working_document>& docs);
    std::size_t failure_count() const { return sink_->size(); }
    /// The tags in `tags` of the failures recorded since `from`.
    void collect_failed_tags(std::size_t from, tag_range tags, std::set<std::uint32_t>& out) const;
    void record_failure(const step& s, working_document d, std::string error);

private:
    enum class halt { none, stopped, failed };
    using clock = std::chrono::steady_clock;

    /// Runs one step that never waits, and returns what it passes on along this path.
    std::vector<working_document> run_one(const step& s, std::vector<working_document> in);
    /// The same for a step that may wait (run/steps.hpp).
    boost::asio::awaitable<std::vector<working_document>> run_one_waiting(
        const step& s, std::vector<working_document> in);
    // Nothing to watch unless someone waits for an early reply of this process.
    bool watching() const;
    void maybe_respond_early();
    std::size_t open_trace(const step& s, std::size_t documents_in);
    void close_trace(std::size_t index, clock::time_point started, step_run& call);

    run_outcome outcome_;
    step_context ctx_;
    std::vector<document_failure>* sink_ = &outcome_.failures;
    halt halt_ = halt::none;
    std::string halted_step_;
    std::string halted_error_;
    std::uint32_t next_tag_ = 1;
    std::size_t kept_documents_ = 0;
    std::size_t kept_bytes_ = 0;
    std::size_t open_return_paths_ = 0;
    bool early_sent_ = false;
};

}  // namespace ferry::engine
