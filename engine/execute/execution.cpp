#include "execute/execution.hpp"

#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "clock.hpp"
#include "execute/stored_documents.hpp"
#include "ferry/engine/execute/reply.hpp"
#include "ferry/engine/execute/route_reply.hpp"
#include "ferry/engine/intake/submission.hpp"
#include "ferry/engine/run/runner.hpp"
#include "id_generator.hpp"

namespace ferry::engine {
namespace {

std::size_t total_bytes(const std::vector<store::document>& documents) {
    std::size_t bytes = 0;
    for (const auto& d : documents) bytes += d.data.size();
    return bytes;
}

/// Assembles a synchronous reply: its later pages go into `pages`, the reply itself (unless in
/// memory) into `out.answers` for the status link; returns the first page.
http_answer keep_reply(const process& p, const store::execution_record& rec,
                       const run_outcome& outcome, const execution_limits& limits,
                       const execution_services& services, execution_output& out,
                       kept_answers& pages) {
    auto assembled = assemble_pages(p, rec.id, outcome, [] { return random_hex128(); });
    const auto now = now_ms();
    if (!services.in_memory) {
        out.answers.emplace_back("reply/" + rec.id, encode_kept_answer(now + limits.reply_ttl_ms,
                                                                       rec.id, assembled.first));
    }
    for (const auto& [token, page] : assembled.later) {
        pages.emplace_back("page/" + token,
                           encode_kept_answer(now + limits.page_ttl_ms, rec.id, page));
    }
    return assembled.first;
}

std::string next_execution_id() {
    thread_local id_generator ids;
    return ids.next();
}

void queue_started(const store::execution_record& parent, std::vector<started_execution>& from,
                   std::vector<store::new_execution>& into) {
    for (auto& s : from) {
        submission child;
        child.process = std::move(s.process);
        child.process_version = s.process_version;
        child.process_props = std::move(s.process_props);
        child.documents = std::move(s.documents);
        // A queue message names its sender itself (sent_by).
        if (s.parked_on.empty() && !child.process_props.contains("queue")) {
            child.process_props["parent_execution"] = parent.id;
        }
        into.push_back(new_execution_of(std::move(child), next_execution_id(), now_ms()));
        into.back().parked_on = std::move(s.parked_on);
    }
}

// A failed delivery of a queue message: delivered again later, as a new execution of the
// listener's active version (a fix deployed meanwhile gets it), or, after the last delivery,
// a dead letter.
void redeliver_or_bury(store::execution_record& rec, std::vector<store::document> documents,
                       const execution_limits& limits, const execution_services& services,
                       execution_output& out) {
    const auto& queue = rec.process_props.at("queue");
    std::size_t delivery = 1;
    if (const auto n = rec.process_props.find("queue_delivery"); n != rec.process_props.end()) {
        delivery = std::strtoull(n->second.c_str(), nullptr, 10);
    }
    if (delivery == 0 || delivery > limits.redelivery_ms.size()) {
        out.dead.push_back({rec.id, queue, now_ms()});
        return;
    }
    submission next;
    next.process = rec.process;
    next.process_version = rec.process_version;
    if (const auto active = services.host ? services.host->find_process(rec.process) : nullptr) {
        next.process_version = active->version;
    }
    next.process_props = rec.process_props;
    next.process_props["queue_delivery"] = std::to_string(delivery + 1);
    next.process_props["redelivery_of"] = rec.id;
    next.process_props.erase("redelivered_as");
    next.documents = std::move(documents);
    const auto now = now_ms();
    auto again = new_execution_of(std::move(next), next_execution_id(), now);
    // The delay counts from the failure, not from this second reading of the clock.
    const auto failed_at = rec.finished_ms != 0 ? rec.finished_ms : now;
    again.not_before_ms = failed_at + limits.redelivery_ms[delivery - 1];
    rec.process_props["redelivered_as"] = again.record.id;
    out.started.push_back(std::move(again));
}

}  // namespace

void fail_execution(store::execution_record& rec, std::string error,
                    const execution_services& services, execution_output& out) {
    rec.state = store::execution_state::failed;
    rec.error = std::move(error);
    rec.finished_ms = now_ms();
    if (!rec.reply_to.empty() && services.respond_now) {
        run_outcome failed;
        failed.ok = false;
        failed.error = rec.error;
        process unknown;
        out.replies.push_back(
            encode_sync_reply(rec.reply_to, rec.id, assemble_reply(unknown, rec.id, failed)));
    }
}

std::vector<std::uint32_t> default_redelivery_ms() { return {1000, 2000, 3000, 5000, 8000, 24000}; }

boost::asio::awaitable<void> run_execution(store::execution_record& rec,
                                           std::vector<store::document> documents,
                                           const execution_limits& limits,
                                           const execution_services& services,
                                           execution_output& out) {
    // A queue delivery that fails is delivered again with the same documents.
    std::optional<std::vector<store::document>> message;
    if (rec.process_props.contains("queue") && !services.in_memory) message = documents;
    co_await run_process_of(rec, std::move(documents), limits, services, out);
    if (message && rec.state == store::execution_state::failed) {
        redeliver_or_bury(rec, std::move(*message), limits, services, out);
    }
}

boost::asio::awaitable<void> run_process_of(store::execution_record& rec,
                                            std::vector<store::document> documents,
                                            const execution_limits& limits,
                                            const execution_services& services,
                                            execution_output& out) {
    // Started by an API route, it answers as the route does.
    const auto p = with_route_reply(
        services.host ? services.host->find_version(rec.process, rec.process_version) : nullptr,
        rec.process_props);
    if (!p) {
        fail_execution(rec, "process '" + rec.process + "' is not deployed", services, out);
        co_return;
    }

    // SPEC §5: general mode (or X-Debug) keeps every step's output; bridge keeps the trace.
    const bool keep_steps = rec.debug || p->mode == execution_mode::general;
    // The request's documents, to find step outputs that are still the same (stored once).
    // Only when they are in the store (not in memory) and the copy is within the kept bytes.
    std::vector<store::document> inputs;
    if (keep_steps && !services.in_memory && rec.document_ids.size() == documents.size() &&
        total_bytes(documents) <= limits.kept.max_kept_bytes) {
        inputs = documents;
    }
    std::vector<working_document> working;
    working.reserve(documents.size());
    for (std::size_t i = 0; i < documents.size(); ++i) {
        working.push_back({std::move(documents[i]), i, {}});
    }
    run_settings run;
    run.files_root = limits.files_root;
    run.host = services.host;
    run.partners = services.partners;
    run.waiting = services.waiting;
    run.keep_step_documents = keep_steps;
    run.kept = limits.kept;
    // A synchronous caller waits for this execution: its reply goes out when a respond: early
    // return step is reached, else once the execution is recorded.
    const bool answers = !rec.reply_to.empty() && p->listen.output != data_type::none &&
                         static_cast<bool>(services.respond_now);
    bool answered_early = false;
    if (answers) {
        run.on_respond_early = [&](const std::vector<working_document>& returned) {
            answered_early = true;
            run_outcome early;
            early.returned = returned;
            kept_answers pages;
            auto answer = keep_reply(*p, rec, early, limits, services, out, pages);
            services.respond_now(encode_sync_reply(rec.reply_to, rec.id, answer), std::move(pages));
        };
    }
    run_outcome outcome;
    std::string engine_failure;
    try {
        outcome = co_await run_process(*p, rec, std::move(working), run);
    } catch (const std::exception& e) {
        // A failure of the engine itself (a sequential value that cannot be reserved).
        engine_failure = e.what();
    }
    if (!engine_failure.empty()) {
        fail_execution(rec, std::move(engine_failure),
                       answered_early ? execution_services{} : services, out);
        co_return;
    }
    if (!answered_early && p->listen.output != data_type::none) {
        // Kept even when nobody waits any more: the caller may come back at the status link.
        auto answer = keep_reply(*p, rec, outcome, limits, services, out, out.answers);
        if (answers) out.replies.push_back(encode_sync_reply(rec.reply_to, rec.id, answer));
    }
    queue_started(rec, outcome.started, out.started);
    rec.trace.clear();
    rec.untraced_steps = outcome.untraced_steps;
    stored_documents stored;
    for (std::size_t k = 0; k < inputs.size(); ++k) stored.add(rec.document_ids[k], inputs[k]);
    // Outputs equal to a document stored before them are named, not stored again; the new
    // ones move into out.kept once every output has been compared (the index points at them).
    std::vector<std::pair<std::string, store::document*>> fresh;
    for (std::size_t i = 0; i < outcome.trace.size(); ++i) {
        auto& t = outcome.trace[i];
        store::step_record r{t.step,
                             t.kind,
                             t.documents_in,
                             t.documents_out,
                             t.documents_failed,
                             t.started_ms,
                             t.micros,
                             std::move(t.error),
                             {}};
        for (std::size_t j = 0; j < t.outputs.size(); ++j) {
            if (const auto* same = stored.find(t.outputs[j])) {
                r.output_ids.push_back(*same);
                continue;
            }
            r.output_ids.push_back(rec.id + "-s" + std::to_string(i) + "-" + std::to_string(j));
            stored.add(r.output_ids.back(), t.outputs[j]);
            fresh.emplace_back(r.output_ids.back(), &t.outputs[j]);
        }
        rec.trace.push_back(std::move(r));
    }
    for (auto& [id, doc] : fresh) out.kept.emplace_back(std::move(id), std::move(*doc));
    if (!outcome.ok) {
        // The caller already has its reply (the failure is in it, or it was answered early).
        fail_execution(rec, "step '" + outcome.failed_step + "': " + outcome.error,
                       execution_services{}, out);
        co_return;
    }
    rec.state = store::execution_state::succeeded;
    rec.finished_ms = now_ms();
}

}  // namespace ferry::engine
