#include "run/run_state.hpp"

namespace ferry::engine {
namespace {

constexpr std::size_t max_call_depth = 16;

// Each document runs through the called process on its own, so that its failure is its own;
// process properties are shared with the called process, as in one execution.
boost::asio::awaitable<step_output> call_and_wait(const step& s, const process& callee,
                                                  std::vector<working_document> in,
                                                  run_state& run) {
    step_output out;
    auto& ctx = run.context();
    auto& outcome = run.outcome();
    auto settings = ctx.settings;
    ++settings.call_depth;
    settings.on_respond_early = nullptr;  // a called process answers its caller, not ours
    for (auto& d : in) {
        store::execution_record inner = ctx.execution;
        inner.process_props = outcome.process_props;
        std::vector<working_document> one{{d.doc, d.index, {}}};
        auto result = co_await run_process(callee, inner, std::move(one), settings);
        outcome.process_props = std::move(result.process_props);
        for (auto& t : result.trace) {
            if (outcome.trace.size() >= ctx.settings.kept.max_trace_entries) {
                ++outcome.untraced_steps;
                continue;
            }
            t.step = s.id + "/" + t.step;
            outcome.trace.push_back(std::move(t));
        }
        outcome.untraced_steps += result.untraced_steps;
        outcome.started.insert(outcome.started.end(),
                               std::make_move_iterator(result.started.begin()),
                               std::make_move_iterator(result.started.end()));
        if (!result.ok) {
            out.failed.emplace_back(std::move(d), "process '" + callee.name + "', step '" +
                                                      result.failed_step + "': " + result.error);
            continue;
        }
        // What reached the called process's return step comes back; a process without one
        // passes the original document on.
        if (result.returned.empty() && !has_return(callee.steps)) {
            out.passed.push_back(std::move(d));
            continue;
        }
        for (auto& r : result.returned) {
            r.index = d.index;
            r.lineage = d.lineage;
            out.passed.push_back(std::move(r));
        }
    }
    co_return out;
}

}  // namespace

// With wait, the called process runs inside this execution; without, it is started as an
// execution of its own when this one finishes, and the documents pass on unchanged.
boost::asio::awaitable<void> run_step(const process_call_step& step,
                                      std::vector<working_document> in, step_run& call) {
    auto& run = call.run;
    const auto& settings = run.context().settings;
    const auto callee = settings.host ? settings.host->find_process(step.process) : nullptr;
    if (!callee || settings.call_depth >= max_call_depth) {
        const auto error = !callee
                               ? "process '" + step.process + "' is not deployed"
                               : "process calls nest deeper than " + std::to_string(max_call_depth);
        std::vector<std::pair<working_document, std::string>> failures;
        failures.reserve(in.size());
        for (auto& d : in) failures.emplace_back(std::move(d), error);
        call.fail(std::move(failures));
        co_return;
    }
    if (!step.wait) {
        started_execution started{
            callee->name, callee->version, run.outcome().process_props, {}, {}};
        for (const auto& d : in) started.documents.push_back(d.doc);
        run.outcome().started.push_back(std::move(started));
        call.pass(std::move(in));
        co_return;
    }
    auto out = co_await call_and_wait(call.at, *callee, std::move(in), run);
    call.fail(std::move(out.failed));
    call.pass(std::move(out.passed));
}

}  // namespace ferry::engine
