// Finishing leased runs: outcomes, their documents, acknowledgements (jetstream_backend).
#include "cluster/cluster_messages.hpp"
#include "cluster/jetstream_backend.hpp"
#include "ferry/nats/error.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {

using boost::system::result;

result<finish_report> jetstream_backend::finish(std::span<const std::uint64_t> leases,
                                                std::span<const store::execution_record> records,
                                                execution_output& out,
                                                const claim_request* then_claim) {
    finish_report report;
    // Outcomes in stored form (a worker's, passed on) are read like the others.
    std::vector<store::execution_record> decoded;
    for (const auto& e : out.encoded.records) {
        auto rec = store::decode_execution(e.bytes);
        if (!rec) return rec.error();
        decoded.push_back(std::move(*rec));
    }
    std::vector<const store::execution_record*> finishing;
    std::vector<std::uint64_t> deliveries;  // of each one finishing
    std::vector<std::uint64_t> held_by;     // of each one finishing: its lease
    std::vector<std::string_view> runs;     // of each one finishing: its run, as claimed
    {
        std::lock_guard lock(mutex_);
        auto take_if_held = [&](const store::execution_record& rec) {
            if (rec.pending_seq == 0) return;  // in memory: nothing stored
            const auto held = held_.find(rec.pending_seq);
            if (held == held_.end() || held->second.finishing ||
                std::find(leases.begin(), leases.end(), held->second.lease) == leases.end()) {
                report.dropped.push_back(rec.id);
                return;
            }
            held->second.finishing = true;
            finishing.push_back(&rec);
            deliveries.push_back(held->second.message.deliveries());
            held_by.push_back(held->second.lease);
            runs.push_back(held->second.message.data());  // held until acknowledged
        };
        for (const auto& rec : records) take_if_held(rec);
        for (const auto& rec : decoded) take_if_held(rec);
    }
    auto unmark = [&] {
        std::lock_guard lock(mutex_);
        for (const auto* rec : finishing) {
            if (const auto held = held_.find(rec->pending_seq); held != held_.end()) {
                held->second.finishing = false;
            }
        }
    };

    // What each outcome carries: its step outputs and dead letter; the first also what
    // belongs to the whole finish.
    std::unordered_map<std::string_view, std::string_view> kept_docs;
    std::vector<std::string> kept_encoded;
    for (const auto& [id, doc] : out.kept) {
        kept_encoded.push_back(store::encode_document(doc));
        kept_docs.emplace(id, kept_encoded.back());
    }
    for (const auto& [id, bytes] : out.encoded.documents) kept_docs.emplace(id, bytes);
    std::vector<std::string> started_ids;
    std::vector<std::string> started;
    std::vector<std::string> started_subjects;
    for (const auto& e : out.started) {
        auto run = run_of(e);
        if (!run) {
            unmark();
            return run.error();
        }
        started_ids.push_back(e.record.id);
        started_subjects.push_back(waiting_subject(*run));
        started.push_back(encode_run(*run));
    }
    // Kept before the outcomes are written (the replies that link to them go out after the
    // finish): a finish that could not keep them is not written, and is tried again.
    if (auto kept = publish_answers(out.answers); !kept) {
        unmark();
        return kept.error();
    }

    bool first = true;
    for (std::size_t i = 0; i < finishing.size(); ++i) {
        const auto* rec = finishing[i];
        recorded_outcome outcome;
        outcome.record = store::encode_execution(*rec);
        for (const auto& step : rec->trace) {
            for (const auto& doc_id : step.output_ids) {
                if (const auto doc = kept_docs.find(doc_id); doc != kept_docs.end()) {
                    outcome.documents.emplace_back(doc_id, doc->second);
                }
            }
        }
        // Its request documents too, so that every node's history shows them: in the outcome,
        // or when large (the outcome is one NATS message, its step outputs ride in it) in a
        // message of their own just before it.
        if (auto run = decode_run(runs[i]); run) {
            std::size_t size = 0;
            for (const auto& [id, bytes] : run->documents) size += bytes.size();
            if (size <= request_documents_in_outcome) {  // first: the step outputs follow
                outcome.documents.insert(outcome.documents.begin(),
                                         std::make_move_iterator(run->documents.begin()),
                                         std::make_move_iterator(run->documents.end()));
            } else if (auto sent = nats_.publish(
                           subject("outcome", rec->id) + std::string(request_documents_suffix),
                           encode_documents(run->documents),
                           "documents:" + rec->id + ":" + std::to_string(rec->pending_seq) + ":" +
                               std::to_string(deliveries[i]));
                       !sent) {
                unmark();
                return sent.error();
            }
        }
        for (const auto& d : out.dead) {
            if (d.execution_id == rec->id) outcome.dead.push_back(d);
        }
        if (first) {
            outcome.started = started;
            outcome.started_ids = started_ids;
            first = false;
        }
        // The message id is this holder's (backend and lease): a finish written again after a
        // failure is a duplicate of its own first write (it won), while any other holder of the
        // execution meets the create-only condition and loses. Not the delivery's: a consumer
        // leader that died before its delivery count was replicated leaves a successor that
        // hands the execution out again as a first delivery, and two holders of one delivery
        // number would each take the other's write for its own.
        const auto written =
            nats_.publish(subject("outcome", rec->id), encode_outcome(outcome),
                          "outcome:" + rec->id + ":" + std::to_string(rec->pending_seq) + ":" +
                              holder_ + "-" + std::to_string(held_by[i]),
                          {{nats::expected_last_subject_seq, "0"}});
        if (!written && lost_race(written.error())) {
            // Another holder ran it too (this one stalled past the ack wait, or a new consumer
            // leader handed it out again): its outcome stands. Before this work is acknowledged,
            // what that outcome started is queued, should its finisher have died before.
            auto stands = nats_.last_message(settings_.records_stream, subject("outcome", rec->id));
            auto queued = stands && *stands ? queue_started_by(**stands) : result<void>();
            if (!stands || !queued) {
                unmark();
                return !stands ? stands.error() : queued.error();
            }
            report.dropped.push_back(rec->id);
            continue;
        }
        if (!written) {
            unmark();
            return written.error();
        }
    }
    if (auto published = publish_runs(started_ids, started, started_subjects, false); !published) {
        unmark();
        return published.error();
    }

    std::vector<nats::message> done;
    {
        std::lock_guard lock(mutex_);
        for (const auto* rec : finishing) {
            const auto held = held_.find(rec->pending_seq);
            if (held == held_.end()) continue;
            if (const auto lease = leases_.find(held->second.lease); lease != leases_.end()) {
                if (--lease->second.executions == 0) leases_.erase(lease);
            }
            done.push_back(std::move(held->second.message));
            held_.erase(held);
        }
    }
    for (auto& message : done) {
        // Recorded already: should this acknowledgement be lost, the redelivery finds the
        // outcome and is not run again.
        if (auto acked = message.ack_unconfirmed(); !acked) {
            log::warn("cluster", "cannot acknowledge a finished execution's work",
                      {{"error", acked.error().message()}});
        }
    }
    if (then_claim != nullptr) report.next = claim(*then_claim);
    return report;
}

}  // namespace ferry::engine::cluster
