#include "ferry/engine/run/runner.hpp"

#include <concepts>

#include "clock.hpp"
#include "ferry/engine/run/run_blocking.hpp"
#include "run/run_state.hpp"

namespace ferry::engine {

namespace {

// Steps that reach outside the process (stubbed in a dry run).
template <class T>
constexpr bool is_connector =
    std::is_same_v<T, http_call_step> || std::is_same_v<T, file_write_step> ||
    std::is_same_v<T, queue_send_step>;

// Steps that only transform documents (run/steps/*.cpp with a step_context), as opposed to
// those that open paths or act on the run (with a step_run).
template <class T>
concept transforms_documents = requires(const T& s, std::vector<working_document> d,
                                        step_context& c) {
    { run_step(s, std::move(d), c) } -> std::same_as<step_output>;
};

// Steps that may wait (run/steps.hpp): the run awaits them.
template <class T>
concept waits_transforming = requires(const T& s, std::vector<working_document> d,
                                      step_context& c) {
    { run_step(s, std::move(d), c) } -> std::same_as<boost::asio::awaitable<step_output>>;
};
template <class T>
concept waits_on_paths = requires(const T& s, std::vector<working_document> d, step_run& c) {
    { run_step(s, std::move(d), c) } -> std::same_as<boost::asio::awaitable<void>>;
};
template <class T>
concept may_wait = waits_transforming<T> || waits_on_paths<T>;

bool step_may_wait(const step& s) {
    return std::visit([](const auto& action) { return may_wait<std::decay_t<decltype(action)>>; },
                      s.action);
}

}  // namespace

void step_run::fail(std::vector<std::pair<working_document, std::string>> failures) {
    failed += static_cast<std::uint32_t>(failures.size());
    for (auto& [doc, error] : failures) {
        if (first_error.empty()) first_error = error;
        run.record_failure(at, std::move(doc), std::move(error));
    }
}

void step_run::pass(std::vector<working_document> documents) {
    out = static_cast<std::uint32_t>(documents.size());
    passed = std::move(documents);
}

bool has_return(const step_list& steps) {
    bool found = false;
    visit_steps(steps, [&](const step& s) {
        found = found || std::holds_alternative<return_step>(s.action);
    });
    return found;
}

run_state::run_state(const process& p, const store::execution_record& execution,
                     const run_settings& settings)
    : ctx_{p, execution, settings, outcome_.process_props} {
    outcome_.process_props = execution.process_props;
}

boost::asio::awaitable<run_outcome> run_state::run(std::vector<working_document> in) {
    co_await run_path(ctx_.p.steps, std::move(in));
    if (halt_ == halt::failed) {
        outcome_.ok = false;
        outcome_.failed_step = halted_step_;
        outcome_.error = halted_error_;
    } else if (!outcome_.failures.empty()) {
        outcome_.ok = false;
        if (outcome_.failed_step.empty()) {
            outcome_.failed_step = outcome_.failures.front().step;
            outcome_.error = outcome_.failures.front().error;
        }
    }
    co_return std::move(outcome_);
}

boost::asio::awaitable<void> run_state::run_path(const step_list& steps,
                                                 std::vector<working_document> docs) {
    for (const auto& s : steps) {
        if (halt_ != halt::none || docs.empty()) co_return;
        // Most steps never wait: they run without a coroutine frame of their own.
        if (step_may_wait(s)) {
            docs = co_await run_one_waiting(s, std::move(docs));
        } else {
            docs = run_one(s, std::move(docs));
        }
    }
    if (halt_ == halt::none) {
        outcome_.outputs.insert(outcome_.outputs.end(), std::make_move_iterator(docs.begin()),
                                std::make_move_iterator(docs.end()));
    }
}

boost::asio::awaitable<std::vector<document_failure>> run_state::run_path_catching(
    const step_list& steps, std::vector<working_document> docs) {
    std::vector<document_failure> failures;
    auto* outer = sink_;
    sink_ = &failures;
    co_await run_path(steps, std::move(docs));
    sink_ = outer;
    co_return failures;
}

std::vector<working_document> run_state::run_one(const step& s, std::vector<working_document> in) {
    const auto trace_index = open_trace(s, in.size());
    const auto started = clock::now();
    step_run call{*this, s};
    std::visit(
        [&](const auto& action) {
            using T = std::decay_t<decltype(action)>;
            if constexpr (is_connector<T>) {
                if (ctx_.settings.stub_connectors) {
                    call.pass(std::move(in));
                    return;
                }
            }
            if constexpr (transforms_documents<T>) {
                auto out = run_step(action, std::move(in), ctx_);
                call.fail(std::move(out.failed));
                call.pass(std::move(out.passed));
            } else if constexpr (!may_wait<T>) {
                run_step(action, std::move(in), call);
            }
        },
        s.action);
    close_trace(trace_index, started, call);
    return std::move(call.passed);
}

boost::asio::awaitable<std::vector<working_document>> run_state::run_one_waiting(
    const step& s, std::vector<working_document> in) {
    const auto trace_index = open_trace(s, in.size());
    const auto started = clock::now();
    step_run call{*this, s};
    if (std::holds_alternative<http_call_step>(s.action)) {
        if (ctx_.settings.stub_connectors) {
            call.pass(std::move(in));
        } else {
            auto out = co_await run_step(std::get<http_call_step>(s.action), std::move(in), ctx_);
            call.fail(std::move(out.failed));
            call.pass(std::move(out.passed));
        }
    } else {
        // The awaitable of the step's own kind (the step runs when awaited).
        auto waiting = std::visit(
            [&](const auto& action) -> boost::asio::awaitable<void> {
                using T = std::decay_t<decltype(action)>;
                if constexpr (waits_on_paths<T>) {
                    return run_step(action, std::move(in), call);
                } else {
                    return {};  // not reached: step_may_wait chose this function
                }
            },
            s.action);
        co_await std::move(waiting);
    }
    close_trace(trace_index, started, call);
    co_return std::move(call.passed);
}

bool run_state::watching() const { return ctx_.p.responds_early && ctx_.settings.on_respond_early; }

void run_state::watch(const step_list& path) {
    if (watching() && has_return(path)) ++open_return_paths_;
}

void run_state::finished(const step_list& path) {
    if (!watching()) return;
    if (has_return(path)) --open_return_paths_;
    maybe_respond_early();
}

void run_state::respond_early() {
    outcome_.respond_early = true;
    maybe_respond_early();
}

void run_state::maybe_respond_early() {
    if (!outcome_.respond_early || early_sent_ || open_return_paths_ > 0) return;
    early_sent_ = true;
    if (ctx_.settings.on_respond_early) ctx_.settings.on_respond_early(outcome_.returned);
}

void run_state::stop() {
    halt_ = halt::stopped;
    outcome_.stopped = true;
}

void run_state::fail_execution(const step& s, const std::string& error) {
    halt_ = halt::failed;
    halted_step_ = s.id;
    halted_error_ = error;
}

std::optional<std::pair<std::string, std::string>> run_state::take_execution_failure() {
    if (halt_ != halt::failed) return std::nullopt;
    halt_ = halt::none;
    return std::pair{halted_step_, halted_error_};
}

run_state::tag_range run_state::tag(std::vector<working_document>& docs) {
    const auto first = next_tag_;
    for (auto& d : docs) d.lineage.push_back(next_tag_++);
    return {first, next_tag_};
}

void run_state::collect_failed_tags(std::size_t from, tag_range tags,
                                    std::set<std::uint32_t>& out) const {
    for (std::size_t i = from; i < sink_->size(); ++i) {
        for (const auto tag : (*sink_)[i].document.lineage) {
            if (tag >= tags.first && tag < tags.second) out.insert(tag);
        }
    }
}

void run_state::record_failure(const step& s, working_document d, std::string error) {
    sink_->push_back({s.id, std::move(error), std::move(d)});
}

std::size_t run_state::open_trace(const step& s, std::size_t documents_in) {
    if (outcome_.trace.size() >= ctx_.settings.kept.max_trace_entries) {
        ++outcome_.untraced_steps;
        return SIZE_MAX;
    }
    step_trace t;
    t.step = s.id;
    t.kind = std::string(step_kind(s));
    t.documents_in = static_cast<std::uint32_t>(documents_in);
    t.started_ms = now_ms();
    outcome_.trace.push_back(std::move(t));
    return outcome_.trace.size() - 1;
}

void run_state::close_trace(std::size_t index, clock::time_point started, step_run& call) {
    if (index == SIZE_MAX) return;
    auto& t = outcome_.trace[index];
    t.documents_out = call.out;
    t.documents_failed = call.failed;
    t.micros = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started).count());
    t.error = std::move(call.first_error);
    if (!ctx_.settings.keep_step_documents) return;
    for (const auto& d : call.passed) {
        if (kept_documents_ >= ctx_.settings.kept.max_kept_documents ||
            kept_bytes_ + d.doc.data.size() > ctx_.settings.kept.max_kept_bytes) {
            return;
        }
        ++kept_documents_;
        kept_bytes_ += d.doc.data.size();
        t.outputs.push_back(d.doc);
    }
}

boost::asio::awaitable<run_outcome> run_process(const process& p,
                                                const store::execution_record& execution,
                                                std::vector<working_document> documents,
                                                const run_settings& settings) {
    run_state run(p, execution, settings);
    co_return co_await run.run(std::move(documents));
}

run_outcome run_process_blocking(const process& p, const store::execution_record& execution,
                                 std::vector<working_document> documents,
                                 const run_settings& settings) {
    return run_blocking(run_process(p, execution, std::move(documents), settings));
}

}  // namespace ferry::engine
