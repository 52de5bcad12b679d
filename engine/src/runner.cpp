#include "ferry/engine/runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "clock.hpp"
#include "ferry/profiles/element.hpp"
#include "ferry/profiles/typed_value.hpp"
#include "steps.hpp"

namespace ferry::engine {

namespace {

// Steps that reach outside the process (stubbed in a dry run).
template <class T>
constexpr bool is_connector =
    std::is_same_v<T, http_call_step> || std::is_same_v<T, file_write_step> ||
    std::is_same_v<T, queue_send_step>;

using clock = std::chrono::steady_clock;
using documents = std::vector<working_document>;

/// One execution's run: walks the step tree, keeps the trace and collects failures.
class run_state {
public:
    run_state(const process& p, const store::execution_record& execution,
              const run_settings& settings)
        : ctx_{p, execution, settings, outcome_.process_props} {
        outcome_.process_props = execution.process_props;
    }

    run_outcome run(documents in) {
        run_path(ctx_.p.steps, std::move(in));
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
        return std::move(outcome_);
    }

private:
    enum class halt { none, stopped, failed };

    void run_path(const step_list& steps, documents docs) {
        for (const auto& s : steps) {
            if (halt_ != halt::none || docs.empty()) return;
            docs = run_one(s, std::move(docs));
        }
        if (halt_ == halt::none) {
            outcome_.outputs.insert(outcome_.outputs.end(), std::make_move_iterator(docs.begin()),
                                    std::make_move_iterator(docs.end()));
        }
    }

    /// Runs one step and returns what it passes on along this path.
    documents run_one(const step& s, documents in) {
        const auto trace_index = open_trace(s, in.size());
        const auto started = clock::now();
        documents passed;
        std::uint32_t routed = 0;
        std::uint32_t failed = 0;
        std::string first_error;
        const auto note_failures = [&](std::vector<std::pair<working_document, std::string>> f) {
            failed += static_cast<std::uint32_t>(f.size());
            for (auto& [doc, error] : f) {
                if (first_error.empty()) first_error = error;
                fail_document(s, std::move(doc), std::move(error));
            }
        };
        std::visit(
            [&](const auto& action) {
                using T = std::decay_t<decltype(action)>;
                if constexpr (std::is_same_v<T, branch_step>) {
                    routed = run_branch(action, std::move(in));
                } else if constexpr (std::is_same_v<T, decision_step>) {
                    routed = run_decision(action, std::move(in), note_failures);
                } else if constexpr (std::is_same_v<T, route_step>) {
                    routed = run_route(action, std::move(in), note_failures);
                } else if constexpr (std::is_same_v<T, try_catch_step>) {
                    routed = run_try(action, std::move(in));
                } else if constexpr (std::is_same_v<T, process_call_step>) {
                    auto out = run_call(s, action, std::move(in));
                    note_failures(std::move(out.failed));
                    passed = std::move(out.passed);
                    routed = static_cast<std::uint32_t>(passed.size());
                } else if constexpr (std::is_same_v<T, return_step>) {
                    routed = static_cast<std::uint32_t>(in.size());
                    for (auto& d : in) outcome_.returned.push_back(std::move(d));
                    if (action.when == return_step::respond::early) {
                        outcome_.respond_early = true;
                        maybe_respond_early();
                    }
                } else if constexpr (std::is_same_v<T, stop_step>) {
                    if (action.execution) {
                        halt_ = halt::stopped;
                        outcome_.stopped = true;
                    }
                } else if constexpr (std::is_same_v<T, exception_step>) {
                    std::vector<std::pair<working_document, std::string>> f;
                    for (auto& d : in) {
                        auto message = render(action.message, d, ctx_);
                        f.emplace_back(std::move(d), message ? std::move(*message)
                                                             : "exception: " + message.error());
                    }
                    if (action.execution && !f.empty()) {
                        first_error = f.front().second;
                        failed = static_cast<std::uint32_t>(f.size());
                        fail_execution(s, first_error);
                    } else {
                        note_failures(std::move(f));
                    }
                } else if constexpr (std::is_same_v<T, queue_send_step>) {
                    if (!ctx_.settings.stub_connectors) send_to_queue(action, in);
                    passed = std::move(in);
                    routed = static_cast<std::uint32_t>(passed.size());
                } else if (is_connector<T> && ctx_.settings.stub_connectors) {
                    passed = std::move(in);
                    routed = static_cast<std::uint32_t>(passed.size());
                } else {
                    auto out = run_step(action, std::move(in), ctx_);
                    note_failures(std::move(out.failed));
                    passed = std::move(out.passed);
                    routed = static_cast<std::uint32_t>(passed.size());
                }
            },
            s.action);
        close_trace(trace_index, started, routed, failed, std::move(first_error), passed);
        return passed;
    }

    // Paths in order; each gets its own copy of every document that has not failed on an
    // earlier path of this branch.
    std::uint32_t run_branch(const branch_step& b, documents in) {
        const auto tags = tag(in);
        std::set<std::uint32_t> failed_tags;
        std::uint32_t routed = 0;
        for (const auto& path : b.paths) watch(path);
        for (const auto& path : b.paths) {
            if (halt_ != halt::none) {
                finished(path);
                continue;
            }
            documents copies;
            for (const auto& d : in) {
                if (!failed_tags.contains(d.lineage.back())) copies.push_back(d);
            }
            routed += static_cast<std::uint32_t>(copies.size());
            const auto before = sink_->size();
            run_path(path, std::move(copies));
            collect_failed_tags(before, tags, failed_tags);
            finished(path);
        }
        return routed;
    }

    // A document whose values cannot be read as the step's profile types them fails here.
    std::uint32_t run_decision(const decision_step& d, documents in, const auto& note_failures) {
        documents yes, no;
        std::vector<std::pair<working_document, std::string>> failures;
        const auto left_shape = d.left.output_shape();
        const auto right_shape = d.right.output_shape();
        const bool reads_elements =
            d.left.kind == variable_kind::element || d.right.kind == variable_kind::element;
        for (auto& doc : in) {
            // Both sides read one parse of the document.
            std::optional<profiles::element> parsed;
            if (reads_elements) {
                if (auto tree = profiles::parse_document(doc.doc.data)) parsed = std::move(*tree);
            }
            const auto* root = parsed ? &*parsed : nullptr;
            auto left = evaluate(d.left, doc, ctx_, root);
            auto right = left ? evaluate(d.right, doc, ctx_, root) : left;
            boost::system::result<bool, std::string> taken = false;
            if (!left || !right) {
                taken = {boost::system::in_place_error, !left ? left.error() : right.error()};
            } else if (left_shape || right_shape) {
                taken = compare(*left, d.op, *right, left_shape ? *left_shape : *right_shape,
                                right_shape ? *right_shape : *left_shape);
            } else {
                taken = compare(*left, d.op, *right);
            }
            if (!taken) {
                failures.emplace_back(std::move(doc), "decision: " + taken.error());
            } else {
                (*taken ? yes : no).push_back(std::move(doc));
            }
        }
        note_failures(std::move(failures));
        const auto routed = static_cast<std::uint32_t>(yes.size() + no.size());
        watch(d.if_true);
        watch(d.if_false);
        run_path(d.if_true, std::move(yes));
        finished(d.if_true);
        run_path(d.if_false, std::move(no));
        finished(d.if_false);
        return routed;
    }

    // The route a value takes: by text, or by typed value when the profile types it.
    std::optional<std::size_t> route_of(const route_step& r, const std::string& value,
                                        const std::optional<profiles::value_shape>& shape,
                                        std::string& error) const {
        std::optional<profiles::typed_value> typed;
        if (shape && !value.empty()) {
            auto read = profiles::read_typed(value, shape->type, shape->mask);
            if (!read) {
                error = "the value " + read.error();
                return std::nullopt;
            }
            typed = std::move(*read);
        }
        for (std::size_t i = 0; i < r.routes.size(); ++i) {
            const auto& route = r.routes[i];
            const bool match = typed && route.typed ? route.typed->compare(*typed) == 0
                                                    : route.value == value;
            if (match) return i;
        }
        return std::nullopt;
    }

    std::uint32_t run_route(const route_step& r, documents in, const auto& note_failures) {
        std::vector<documents> taken(r.routes.size());
        documents rest;
        std::vector<std::pair<working_document, std::string>> failures;
        const auto shape = r.value.output_shape();
        for (auto& doc : in) {
            const auto value = evaluate(r.value, doc, ctx_);
            std::string error = value ? std::string() : value.error();
            const auto match = value ? route_of(r, *value, shape, error) : std::nullopt;
            if (!error.empty()) {
                failures.emplace_back(std::move(doc), "route: " + error);
            } else if (!match) {
                rest.push_back(std::move(doc));
            } else {
                taken[*match].push_back(std::move(doc));
            }
        }
        const auto routed = static_cast<std::uint32_t>(in.size() - failures.size());
        note_failures(std::move(failures));
        for (const auto& route : r.routes) watch(route.steps);
        watch(r.otherwise);
        for (std::size_t i = 0; i < r.routes.size(); ++i) {
            run_path(r.routes[i].steps, std::move(taken[i]));
            finished(r.routes[i].steps);
        }
        run_path(r.otherwise, std::move(rest));
        finished(r.otherwise);
        return routed;
    }

    // Failures inside the try path are caught here instead of failing the execution.
    std::uint32_t run_try(const try_catch_step& t, documents in) {
        watch(t.try_steps);
        watch(t.catch_steps);
        const auto routed = run_try_paths(t, std::move(in));
        finished(t.try_steps);
        finished(t.catch_steps);
        return routed;
    }

    std::uint32_t run_try_paths(const try_catch_step& t, documents in) {
        const auto routed = static_cast<std::uint32_t>(in.size());
        auto attempt = std::move(in);
        std::vector<document_failure> caught;
        for (std::uint32_t round = 0;; ++round) {
            const auto tags = tag(attempt);
            std::vector<document_failure> failures;
            auto* outer = sink_;
            sink_ = &failures;
            run_path(t.try_steps, attempt);
            sink_ = outer;
            if (halt_ == halt::failed && t.catch_all) {
                // An execution-level error inside the try: every document of this attempt is
                // treated as failed with it.
                halt_ = halt::none;
                for (auto& d : attempt) failures.push_back({halted_step_, halted_error_, d});
            }
            if (halt_ != halt::none) return routed;
            std::set<std::uint32_t> failed_tags;
            for (const auto& f : failures) {
                for (const auto tag : f.document.lineage) {
                    if (tag >= tags.first && tag < tags.second) failed_tags.insert(tag);
                }
            }
            // The original of every document that failed, with its first failure.
            documents again;
            std::vector<const document_failure*> first_failures;
            for (auto& d : attempt) {
                const auto tag = d.lineage.back();
                if (!failed_tags.contains(tag)) continue;
                first_failures.push_back(first_failure_of(failures, tag));
                d.lineage.pop_back();
                again.push_back(std::move(d));
            }
            if (again.empty()) return routed;
            if (round >= t.retries) {
                // Out of retries: the originals go to the catch path with the error of their
                // first failure as document properties.
                for (std::size_t i = 0; i < again.size(); ++i) {
                    again[i].doc.props["try_error"] = first_failures[i]->error;
                    again[i].doc.props["try_step"] = first_failures[i]->step;
                }
                run_path(t.catch_steps, std::move(again));
                return routed;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(
                static_cast<std::uint64_t>(t.backoff_ms) << std::min<std::uint32_t>(round, 10)));
            attempt = std::move(again);
        }
    }

    // The documents become one message, stored when this execution finishes (with it, in one
    // write): a delivery to one listener (point to point, taking turns among those not
    // paused), or to every listener (publish; a paused one's copy waits for it), or parked for
    // the queue until a process listens on it.
    void send_to_queue(const queue_send_step& q, const documents& in) {
        if (in.empty()) return;
        static std::atomic<std::size_t> turn{0};
        started_execution message;
        message.process_props = {{"queue", q.queue},
                                 {"queue_delivery", "1"},
                                 {"sent_by", ctx_.execution.id}};
        if (q.publish) message.process_props["queue_publish"] = "true";
        for (const auto& d : in) message.documents.push_back(d.doc);
        auto listeners = ctx_.settings.queue_listeners ? ctx_.settings.queue_listeners(q.queue)
                                                       : std::vector<queue_listener>();
        if (!q.publish) std::erase_if(listeners, [](const auto& l) { return l.paused; });
        if (listeners.empty()) {
            message.parked_on = q.queue;
            outcome_.started.push_back(std::move(message));
            return;
        }
        const auto first = q.publish ? 0 : turn.fetch_add(1) % listeners.size();
        const auto count = q.publish ? listeners.size() : 1;
        for (std::size_t i = 0; i < count; ++i) {
            const auto& listener = listeners[first + i];
            auto delivery = message;
            delivery.process = listener.process->name;
            delivery.process_version = listener.process->version;
            if (listener.paused) delivery.parked_on = q.queue;
            outcome_.started.push_back(std::move(delivery));
        }
    }

    // Each document runs through the called process on its own, so that its failure is its
    // own; process properties are shared with the called process, as in one execution.
    step_output run_call(const step& s, const process_call_step& call, documents in) {
        step_output out;
        const auto callee = ctx_.settings.find_process ? ctx_.settings.find_process(call.process)
                                                       : nullptr;
        if (!callee || ctx_.settings.call_depth >= max_call_depth) {
            const auto error = !callee ? "process '" + call.process + "' is not deployed"
                                       : "process calls nest deeper than " +
                                             std::to_string(max_call_depth);
            for (auto& d : in) out.failed.emplace_back(std::move(d), error);
            return out;
        }
        if (!call.wait) {
            started_execution started{callee->name, callee->version, outcome_.process_props, {}, {}};
            for (const auto& d : in) started.documents.push_back(d.doc);
            outcome_.started.push_back(std::move(started));
            out.passed = std::move(in);
            return out;
        }
        auto settings = ctx_.settings;
        ++settings.call_depth;
        settings.on_respond_early = nullptr;  // a called process answers its caller, not ours
        for (auto& d : in) {
            store::execution_record inner = ctx_.execution;
            inner.process_props = outcome_.process_props;
            auto result = run_process(*callee, inner, {{d.doc, d.index, {}}}, settings);
            outcome_.process_props = std::move(result.process_props);
            for (auto& t : result.trace) {
                if (outcome_.trace.size() >= ctx_.settings.max_trace_entries) {
                    ++outcome_.untraced_steps;
                    continue;
                }
                t.step = s.id + "/" + t.step;
                outcome_.trace.push_back(std::move(t));
            }
            outcome_.untraced_steps += result.untraced_steps;
            outcome_.started.insert(outcome_.started.end(),
                                    std::make_move_iterator(result.started.begin()),
                                    std::make_move_iterator(result.started.end()));
            if (!result.ok) {
                out.failed.emplace_back(std::move(d), "process '" + callee->name + "', step '" +
                                                          result.failed_step +
                                                          "': " + result.error);
                continue;
            }
            // What reached the called process's return step comes back; a process without
            // one passes the original document on.
            if (result.returned.empty() && !has_return(callee->steps)) {
                out.passed.push_back(std::move(d));
                continue;
            }
            for (auto& r : result.returned) {
                r.index = d.index;
                r.lineage = d.lineage;
                out.passed.push_back(std::move(r));
            }
        }
        return out;
    }

    static bool has_return(const step_list& steps) {
        bool found = false;
        visit_steps(steps, [&](const step& s) {
            found = found || std::holds_alternative<return_step>(s.action);
        });
        return found;
    }

    static constexpr std::size_t max_call_depth = 16;

    // respond: early (SPEC §3) answers "as soon as no path that can still reach a return step
    // is running": every path with a return step is watched from the moment the step that
    // opens it starts until it has finished (or was skipped), and the reply goes out once an
    // early return was reached and no watched path is left.
    // Nothing to watch unless someone waits for an early reply of this process.
    bool watching() const { return ctx_.p.responds_early && ctx_.settings.on_respond_early; }
    void watch(const step_list& path) {
        if (watching() && has_return(path)) ++open_return_paths_;
    }
    void finished(const step_list& path) {
        if (!watching()) return;
        if (has_return(path)) --open_return_paths_;
        maybe_respond_early();
    }
    void maybe_respond_early() {
        if (!outcome_.respond_early || early_sent_ || open_return_paths_ > 0) return;
        early_sent_ = true;
        if (ctx_.settings.on_respond_early) ctx_.settings.on_respond_early(outcome_.returned);
    }

    using tag_range = std::pair<std::uint32_t, std::uint32_t>;  // [first, second)

    tag_range tag(documents& docs) {
        const auto first = next_tag_;
        for (auto& d : docs) d.lineage.push_back(next_tag_++);
        return {first, next_tag_};
    }

    void collect_failed_tags(std::size_t from, tag_range tags, std::set<std::uint32_t>& out) const {
        for (std::size_t i = from; i < sink_->size(); ++i) {
            for (const auto tag : (*sink_)[i].document.lineage) {
                if (tag >= tags.first && tag < tags.second) out.insert(tag);
            }
        }
    }

    static const document_failure* first_failure_of(const std::vector<document_failure>& failures,
                                                     std::uint32_t tag) {
        for (const auto& f : failures) {
            if (std::find(f.document.lineage.begin(), f.document.lineage.end(), tag) !=
                f.document.lineage.end()) {
                return &f;
            }
        }
        return &failures.front();
    }

    void fail_document(const step& s, working_document d, std::string error) {
        sink_->push_back({s.id, std::move(error), std::move(d)});
    }

    void fail_execution(const step& s, const std::string& error) {
        halt_ = halt::failed;
        halted_step_ = s.id;
        halted_error_ = error;
    }

    std::size_t open_trace(const step& s, std::size_t documents_in) {
        if (outcome_.trace.size() >= ctx_.settings.max_trace_entries) {
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

    void close_trace(std::size_t index, clock::time_point started, std::uint32_t out,
                     std::uint32_t failed, std::string error, const documents& passed) {
        if (index == SIZE_MAX) return;
        auto& t = outcome_.trace[index];
        t.documents_out = out;
        t.documents_failed = failed;
        t.micros = static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started).count());
        t.error = std::move(error);
        if (!ctx_.settings.keep_step_documents) return;
        for (const auto& d : passed) {
            if (kept_documents_ >= ctx_.settings.max_kept_documents ||
                kept_bytes_ + d.doc.data.size() > ctx_.settings.max_kept_bytes) {
                return;
            }
            ++kept_documents_;
            kept_bytes_ += d.doc.data.size();
            t.outputs.push_back(d.doc);
        }
    }

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

}  // namespace

run_outcome run_process(const process& p, const store::execution_record& execution,
                        documents documents, const run_settings& settings) {
    return run_state(p, execution, settings).run(std::move(documents));
}

}  // namespace ferry::engine
