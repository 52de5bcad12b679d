#include "cluster/jetstream_backend.hpp"

#include <algorithm>

#include "clock.hpp"
#include "cluster/cluster_messages.hpp"
#include "ferry/nats/error.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;
using boost::system::result;

constexpr auto keeper_tick = 10ms;
/// Work the server redelivers (another process died holding it) wakes nobody: listeners hear
/// of possible work this often anyway.
constexpr auto idle_signal = 1s;
constexpr auto waiting_fetch = 200ms;  // a waiting claim looks at `stopping_` this often

std::string abandoned_error(std::uint32_t max_attempts) {
    return "abandoned after " + std::to_string(max_attempts) +
           " attempts that did not finish (the node, or the worker running it, stopped "
           "while it ran)";
}

bool lost_race(const boost::system::error_code& e) {
    return e == nats::make_error(0, nats::jetstream_code::wrong_last_sequence);
}

}  // namespace

jetstream_backend::jetstream_backend(nats::connection& nats, jetstream_settings settings)
    : nats_(nats), settings_(std::move(settings)) {}

result<std::unique_ptr<jetstream_backend>> jetstream_backend::open(
    nats::connection& nats, jetstream_settings settings, std::chrono::milliseconds patience) {
    std::unique_ptr<jetstream_backend> backend(new jetstream_backend(nats, std::move(settings)));
    if (auto started = backend->start(patience); !started) return started.error();
    return backend;
}

result<void> jetstream_backend::start(std::chrono::milliseconds patience) {
    const auto& s = settings_;
    nats::stream_settings runs{.name = s.runs_stream,
                               .subjects = {s.subject_prefix + ".runs"},
                               .replicas = s.replicas,
                               .duplicate_window = s.duplicate_window,
                               .work_queue = true};
    if (auto made = nats_.ensure_stream(runs, patience); !made) return made.error();
    nats::stream_settings records{
        .name = s.records_stream,
        .subjects = {s.subject_prefix + ".outcome.>", s.subject_prefix + ".answer.>",
                     s.subject_prefix + ".sequence.>"},
        .replicas = s.replicas,
        .duplicate_window = s.duplicate_window};
    if (auto made = nats_.ensure_stream(records, patience); !made) return made.error();
    nats::stream_settings parked{.name = s.parked_stream,
                                 .subjects = {s.subject_prefix + ".parked.>"},
                                 .replicas = s.replicas,
                                 .duplicate_window = s.duplicate_window,
                                 .allow_direct = true};
    if (auto made = nats_.ensure_stream(parked, patience); !made) return made.error();
    nats::stream_settings delayed{.name = s.delayed_stream,
                                  .subjects = {s.subject_prefix + ".delayed"},
                                  .replicas = s.replicas,
                                  .duplicate_window = s.duplicate_window,
                                  .work_queue = true};
    if (auto made = nats_.ensure_stream(delayed, patience); !made) return made.error();
    const nats::consumer_settings consumer{.stream = s.runs_stream,
                                           .durable = s.consumer,
                                           .subject = s.subject_prefix + ".runs",
                                           .ack_wait = s.ack_wait,
                                           .max_ack_pending = s.max_ack_pending};
    const auto give_up = clock::now() + patience;
    for (;;) {
        auto bound = nats_.pull(consumer);
        if (bound) {
            consumer_ = std::move(*bound);
            break;
        }
        // The consumer's group may still be electing its leader right after the stream came.
        if (clock::now() >= give_up) return bound.error();
        std::this_thread::sleep_for(100ms);
    }
    // Held work is heartbeated within the consumer's ack wait as it was created (the first
    // process to bind made it), whatever this one's settings say.
    auto consumer_now = nats_.consumer(s.runs_stream, s.consumer);
    if (!consumer_now) return consumer_now.error();
    ack_wait_ = consumer_now->ack_wait.count() > 0 ? consumer_now->ack_wait : s.ack_wait;
    auto hints =
        nats_.subscribe(subject("work", ""), [this](std::string_view) { signal_new_work(); });
    if (!hints) return hints.error();
    work_hints_ = std::move(*hints);
    next_heartbeat_ = clock::now() + ack_wait_ / 3;
    lease_keeper_.start("ferry-leases", [this](std::stop_token stop) { keep_leases(stop); });
    return {};
}

jetstream_backend::~jetstream_backend() {
    stopping_ = true;
    lease_keeper_.stop();
    work_hints_.reset();  // no signal after this
    std::lock_guard lock(mutex_);
    for (auto& [seq, held] : held_) (void)held.message.nak(0ms);
}

std::string jetstream_backend::subject(std::string_view kind, std::string_view name) const {
    std::string out = settings_.subject_prefix;
    out += '.';
    out += kind;
    if (!name.empty()) {
        out += '.';
        out += subject_token(name);
    }
    return out;
}

result<void> jetstream_backend::enqueue(std::span<const store::new_execution> executions,
                                        bool again) {
    std::vector<std::string> ids;
    std::vector<std::string> runs;
    std::vector<std::string> subjects;
    for (const auto& e : executions) {
        auto run = run_of(e);
        if (!run) return run.error();
        ids.push_back(e.record.id);
        subjects.push_back(waiting_subject(*run));
        runs.push_back(encode_run(*run));
    }
    return publish_runs(ids, runs, subjects, again);
}

std::string jetstream_backend::waiting_subject(const queued_run& run) const {
    if (!run.parked_on.empty()) return subject("parked", run.parked_on);
    if (run.not_before_ms > now_ms()) return subject("delayed", "");
    return subject("runs", "");
}

result<void> jetstream_backend::publish_runs(const std::vector<std::string>& ids,
                                             const std::vector<std::string>& runs,
                                             const std::vector<std::string>& subjects, bool again) {
    if (runs.empty()) return {};
    std::vector<nats::outgoing_message> messages;
    messages.reserve(runs.size());
    const auto runs_subject = subject("runs", "");
    bool runnable = false;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        nats::outgoing_message m{
            .subject = subjects[i], .data = runs[i], .message_id = ids[i], .headers = {}};
        if (again) m.headers.emplace_back(republished_header, "1");
        messages.push_back(std::move(m));
        runnable = runnable || subjects[i] == runs_subject;
    }
    const auto seen_before = runs_seq_seen_.load();
    auto acks = nats_.publish_batch(messages);
    if (!acks) return acks.error();
    for (std::size_t i = 0; i < acks->size(); ++i) {
        const auto& ack = (*acks)[i];
        if (!ack) return ack.error();
        if (subjects[i] == runs_subject && !ack->duplicate) note_runs_seq(ack->seq, seen_before);
    }
    if (!runnable) return {};
    // Claimers here hear of it at once, the other nodes' by a hint (at most once: they look
    // now and then anyway).
    signal_new_work();
    (void)nats_.publish_hint(subject("work", ""));
    return {};
}

void jetstream_backend::note_runs_seq(std::uint64_t seq, std::uint64_t seen_before) {
    // The stream numbers its messages upwards: a message written after one numbered
    // `seen_before` was acknowledged cannot be numbered at or below it, unless the stream lost
    // what it had numbered so.
    if (seq <= seen_before) loss_suspected_ = true;
    auto seen = runs_seq_seen_.load();
    while (seq > seen && !runs_seq_seen_.compare_exchange_weak(seen, seq)) {
    }
}

bool jetstream_backend::work_was_lost() {
    // Read before asking: every number seen by then was acknowledged, so the stream's answer
    // counts it unless the stream lost it.
    const auto seen = runs_seq_seen_.load();
    if (auto state = nats_.stream(settings_.runs_stream); state) {
        if (state->last_seq < seen) {
            loss_suspected_ = true;
            runs_seq_seen_ = state->last_seq;  // counted afresh from here
        } else {
            note_runs_seq(state->last_seq, 0);
        }
    }
    return loss_suspected_.exchange(false);
}

result<std::optional<store::execution_record>> jetstream_backend::outcome(const std::string& id) {
    auto last = nats_.last_message(settings_.records_stream, subject("outcome", id));
    if (!last) return last.error();
    if (!*last) return std::optional<store::execution_record>();
    auto decoded = decode_outcome((*last)->data);
    if (!decoded) return decoded.error();
    auto rec = store::decode_execution(decoded->record);
    if (!rec) return rec.error();
    return std::optional<store::execution_record>(std::move(*rec));
}

execution_lease jetstream_backend::claim(const claim_request& request) {
    bool waited = false;
    while (!stopping_) {
        result<std::vector<nats::message>> fetched;
        {
            std::lock_guard lock(consumer_mutex_);
            fetched =
                consumer_->fetch(static_cast<int>(request.max), request.wait ? waiting_fetch : 0ms);
        }
        if (!fetched) {
            log::warn("cluster", "cannot fetch executions from JetStream",
                      {{"error", fetched.error().message()}});
            if (!request.wait) return {};
            std::this_thread::sleep_for(waiting_fetch);
            continue;
        }
        if (fetched->empty()) {
            if (!request.wait) return {};
            waited = true;
            continue;
        }
        auto lease = take(std::move(*fetched), request);
        if (!lease.empty()) {
            // New work came while it waited: there may be more, for the others (the hint of
            // whoever queued it may still be on its way).
            if (waited) signal_new_work();
            return lease;
        }
        // Everything fetched was settled or put back: look again.
    }
    return {};
}

execution_lease jetstream_backend::take(std::vector<nats::message> messages,
                                        const claim_request& request) {
    const auto now = now_ms();
    execution_lease lease;
    std::vector<std::pair<std::uint64_t, nats::message>> taken;
    for (auto& message : messages) {
        auto run = decode_run(message.data());
        auto restarted =
            run ? store::restart_execution(run->record, now,
                                           static_cast<std::uint32_t>(message.deliveries()),
                                           message.stream_seq())
                : boost::system::result<store::restarted_execution>(run.error());
        if (!restarted) {
            // Nothing in it can be trusted, not even its id: it never runs.
            log::error("cluster", "an unreadable execution in the work stream was dropped",
                       {{"stream_seq", std::to_string(message.stream_seq())}});
            (void)message.term();
            continue;
        }
        // Delivered before, or queued again by an outbox: it may have been finished already.
        if ((message.deliveries() > 1 || message.header(republished_header)) &&
            settled_before(message, restarted->id)) {
            continue;
        }
        if (run->not_before_ms > now) {
            (void)message.nak(std::chrono::milliseconds(run->not_before_ms - now));
            continue;
        }
        claimed_execution c;
        c.seq = message.stream_seq();
        if (request.stored_form) {
            c.record.id = restarted->id;
            c.record.pending_seq = c.seq;
            c.record.attempts = restarted->attempts;
            c.record.document_ids = restarted->document_ids;
            c.stored_record = std::move(restarted->bytes);
            for (auto& [doc_id, doc] : run->documents) c.stored_documents.push_back(std::move(doc));
        } else {
            c.record = store::decode_execution(restarted->bytes).value();
            for (const auto& [doc_id, doc] : run->documents) {
                c.documents.push_back(store::decode_document(doc).value());
            }
        }
        if (restarted->attempts > settings_.max_attempts) {
            c.error = abandoned_error(settings_.max_attempts);
        }
        lease.executions.push_back(std::move(c));
        taken.emplace_back(message.stream_seq(), std::move(message));
    }
    if (lease.executions.empty()) return lease;
    std::lock_guard lock(mutex_);
    lease.id = next_lease_++;
    auto& state = leases_[lease.id];
    state.executions = taken.size();
    if (request.lease_for.count() > 0) state.expires = clock::now() + request.lease_for;
    for (auto& [seq, message] : taken) {
        held_.insert_or_assign(seq, held_run{std::move(message), lease.id});
    }
    return lease;
}

bool jetstream_backend::settled_before(nats::message& message, const std::string& id) {
    auto last = nats_.last_message(settings_.records_stream, subject("outcome", id));
    if (!last) {
        // Cannot tell now: it comes back once the cluster answers.
        (void)message.nak(1s);
        return true;
    }
    if (!*last) return false;
    if (auto recorded = decode_outcome((*last)->data); recorded) {
        std::vector<std::string> subjects;
        for (const auto& run : recorded->started) {
            auto decoded = decode_run(run);
            subjects.push_back(decoded ? waiting_subject(*decoded) : subject("runs", ""));
        }
        if (auto again = publish_runs(recorded->started_ids, recorded->started, subjects, true);
            !again) {
            (void)message.nak(1s);
            return true;
        }
    }
    (void)message.ack();
    return true;
}

bool jetstream_backend::extend(std::uint64_t lease, std::chrono::milliseconds lease_for) {
    std::lock_guard lock(mutex_);
    const auto found = leases_.find(lease);
    if (found == leases_.end()) return false;
    found->second.expires =
        lease_for.count() > 0 ? clock::now() + lease_for : clock::time_point::max();
    return true;
}

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
        // The message id is this delivery's: a finish written again after a failure is a
        // duplicate of its own first write (it won), while another holder of the execution (a
        // later delivery) meets the create-only condition and loses.
        const auto written =
            nats_.publish(subject("outcome", rec->id), encode_outcome(outcome),
                          "outcome:" + rec->id + ":" + std::to_string(rec->pending_seq) + ":" +
                              std::to_string(deliveries[i]),
                          {{nats::expected_last_subject_seq, "0"}});
        if (!written && lost_race(written.error())) {
            // Another process ran it too (this one stalled past the ack wait): its outcome stands.
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

void jetstream_backend::release(std::uint64_t lease, std::chrono::milliseconds delay) {
    {
        std::lock_guard lock(mutex_);
        leases_.erase(lease);
        for (auto it = held_.begin(); it != held_.end();) {
            if (it->second.lease == lease && !it->second.finishing) {
                (void)it->second.message.nak(delay);
                it = held_.erase(it);
            } else {
                ++it;
            }
        }
        signal_at_.push_back(clock::now() + delay);
    }
    if (delay.count() == 0) signal_new_work();
}

std::uint64_t jetstream_backend::on_new_work(std::function<void()> signal) {
    std::lock_guard lock(listeners_mutex_);
    const auto id = next_listener_++;
    listeners_.emplace(id, std::move(signal));
    return id;
}

void jetstream_backend::stop_signalling(std::uint64_t id) {
    std::lock_guard lock(listeners_mutex_);
    listeners_.erase(id);
}

void jetstream_backend::signal_new_work() {
    // Called under the lock: once stop_signalling() returned, a listener is never called again.
    std::lock_guard lock(listeners_mutex_);
    for (auto& [id, signal] : listeners_) signal();
}

result<void> jetstream_backend::publish_answers(const kept_answers& answers) {
    if (answers.empty()) return {};
    std::vector<nats::outgoing_message> messages;
    messages.reserve(answers.size());
    for (const auto& [key, value] : answers) {
        messages.push_back(
            {.subject = subject("answer", key), .data = value, .message_id = {}, .headers = {}});
    }
    auto acks = nats_.publish_batch(messages);
    if (!acks) return acks.error();
    for (const auto& ack : *acks) {
        if (!ack) return ack.error();
    }
    return {};
}

void jetstream_backend::keep_answers(kept_answers& answers) {
    if (auto kept = publish_answers(answers); !kept) {
        log::error(
            "cluster", "cannot keep answers in JetStream",
            {{"answers", std::to_string(answers.size())}, {"error", kept.error().message()}});
    }
}

result<std::vector<std::optional<std::string>>> jetstream_backend::claim_answers(
    std::span<const std::pair<std::string, std::string>> claims,
    const std::function<bool(std::string_view)>& replaceable) {
    std::vector<std::optional<std::string>> out(claims.size());
    if (claims.empty()) return out;
    std::vector<nats::outgoing_message> creates;
    creates.reserve(claims.size());
    for (const auto& [key, value] : claims) {
        creates.push_back({.subject = subject("answer", key),
                           .data = value,
                           .message_id = "",
                           .headers = {{nats::expected_last_subject_seq, "0"}}});
    }
    auto written = nats_.publish_batch(creates);
    if (!written) return written.error();
    for (std::size_t i = 0; i < claims.size(); ++i) {
        if ((*written)[i]) continue;
        if (!lost_race((*written)[i].error())) return (*written)[i].error();
        // Taken before: by this claim itself (published again), by another, or long ago.
        const auto& [key, value] = claims[i];
        const auto& claim_subject = creates[i].subject;
        for (int tries = 0;; ++tries) {
            if (tries == 20) return nats::make_error(0, nats::jetstream_code::wrong_last_sequence);
            auto earlier = nats_.last_message(settings_.records_stream, claim_subject);
            if (!earlier) return earlier.error();
            if (*earlier && (*earlier)->data == value) break;  // it stands
            if (*earlier && !replaceable((*earlier)->data)) {
                out[i] = std::move((*earlier)->data);
                break;
            }
            const auto expected = *earlier ? std::to_string((*earlier)->seq) : std::string("0");
            auto replaced = nats_.publish(claim_subject, value, "",
                                          {{nats::expected_last_subject_seq, expected}});
            if (replaced) break;
            if (!lost_race(replaced.error())) return replaced.error();
        }
    }
    return out;
}

result<std::optional<std::string>> jetstream_backend::answer(const std::string& key) {
    auto last = nats_.last_message(settings_.records_stream, subject("answer", key));
    if (!last) return last.error();
    if (!*last) return std::optional<std::string>();
    return std::optional<std::string>(std::move((*last)->data));
}

result<std::uint64_t> jetstream_backend::reserve_sequence(std::string_view name,
                                                          std::uint64_t count) {
    const auto sequence_subject = subject("sequence", name);
    // Compare-and-set on the subject's last message: a node that lost the race reads again.
    for (int tries = 0; tries < 100; ++tries) {
        auto last = nats_.last_message(settings_.records_stream, sequence_subject);
        if (!last) return last.error();
        std::uint64_t reserved = 0;  // the last value handed out
        if (*last) reserved = std::stoull((*last)->data);
        const auto expected = *last ? std::to_string((*last)->seq) : std::string("0");
        auto written = nats_.publish(sequence_subject, std::to_string(reserved + count), "",
                                     {{nats::expected_last_subject_seq, expected}});
        if (written) return reserved + 1;
        if (!lost_race(written.error())) return written.error();
    }
    return nats::make_error(0, nats::jetstream_code::wrong_last_sequence);
}

void jetstream_backend::stop() { stopping_ = true; }

void jetstream_backend::keep_leases(std::stop_token stop) {
    auto last_signal = clock::now();
    while (!stop.stop_requested()) {
        bool signal = false;
        {
            std::unique_lock lock(mutex_);
            keeper_wakeup_.wait_for(lock, stop, keeper_tick, [] { return false; });
            const auto now = clock::now();
            std::unordered_set<std::uint64_t> expired;
            for (auto it = leases_.begin(); it != leases_.end();) {
                if (it->second.expires <= now) {
                    expired.insert(it->first);
                    it = leases_.erase(it);
                } else {
                    ++it;
                }
            }
            if (!expired.empty()) {
                // Given back at once, their attempt counted by the redelivery.
                for (auto it = held_.begin(); it != held_.end();) {
                    if (expired.contains(it->second.lease) && !it->second.finishing) {
                        (void)it->second.message.nak(0ms);
                        it = held_.erase(it);
                    } else {
                        ++it;
                    }
                }
                signal = true;
            }
            if (now >= next_heartbeat_) {
                for (auto& [seq, held] : held_) {
                    if (!held.finishing) (void)held.message.in_progress();
                }
                next_heartbeat_ = now + ack_wait_ / 3;
            }
            const auto due = std::remove_if(signal_at_.begin(), signal_at_.end(),
                                            [&](const auto& at) { return at <= now; });
            if (due != signal_at_.end()) signal = true;
            signal_at_.erase(due, signal_at_.end());
            if (now - last_signal >= idle_signal) signal = true;
            if (signal) last_signal = now;
        }
        if (signal) signal_new_work();
    }
}

}  // namespace ferry::engine::cluster
