#include "cluster/jetstream_backend.hpp"

#include <algorithm>

#include "clock.hpp"
#include "cluster/cluster_messages.hpp"
#include "cluster/unreadable_run.hpp"
#include "ferry/nats/error.hpp"
#include "ferry/store/log.hpp"
#include "id_generator.hpp"

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

}  // namespace

bool lost_race(const boost::system::error_code& e) {
    return e == nats::make_error(0, nats::jetstream_code::wrong_last_sequence);
}

jetstream_backend::jetstream_backend(nats::connection& nats, jetstream_settings settings)
    : nats_(nats), settings_(std::move(settings)), holder_(random_hex128().substr(0, 16)) {}

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
            // Nothing in it can be trusted, not even its id: it never runs here.
            set_aside_unreadable_run(
                message, {.component = "cluster",
                          .newer_format = "an execution in the work stream is of a newer ferry's "
                                          "format; it is left for a node or worker that reads it",
                          .unreadable = "an unreadable execution in the work stream was dropped"});
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
    const auto id = next_lease_;
    std::vector<claimed_execution> handed_out;
    for (std::size_t i = 0; i < taken.size(); ++i) {
        auto& [seq, message] = taken[i];
        if (hold(seq, message, id)) handed_out.push_back(std::move(lease.executions[i]));
    }
    lease.executions = std::move(handed_out);
    if (lease.executions.empty()) return lease;
    lease.id = next_lease_++;
    auto& state = leases_[lease.id];
    state.executions = lease.executions.size();
    if (request.lease_for.count() > 0) state.expires = clock::now() + request.lease_for;
    return lease;
}

bool jetstream_backend::hold(std::uint64_t seq, nats::message& message, std::uint64_t lease) {
    const auto held = held_.find(seq);
    if (held == held_.end()) {
        held_.emplace(seq, held_run{std::move(message), lease});
        return true;
    }
    // This process holds it already: the consumer forgot the delivery (a new consumer leader)
    // and handed it out again.
    if (held->second.finishing) {
        // Its finish is being written (and reads the held message's data): nothing is handed
        // out again. The new delivery is left unacknowledged; should it come back, its
        // redelivery finds the outcome (settled_before()), and should the finish fail, the
        // earlier lease still holds the execution.
        return false;
    }
    // The earlier lease loses it (its finish is dropped) and holds one execution fewer.
    if (const auto earlier = leases_.find(held->second.lease); earlier != leases_.end()) {
        if (--earlier->second.executions == 0) leases_.erase(earlier);
    }
    held->second = held_run{std::move(message), lease};
    return true;
}

bool jetstream_backend::settled_before(nats::message& message, const std::string& id) {
    auto last = nats_.last_message(settings_.records_stream, subject("outcome", id));
    if (!last) {
        // Cannot tell now: it comes back once the cluster answers.
        (void)message.nak(1s);
        return true;
    }
    if (!*last) return false;
    if (auto queued = queue_started_by(**last); !queued) {
        (void)message.nak(1s);
        return true;
    }
    (void)message.ack();
    return true;
}

result<void> jetstream_backend::queue_started_by(const nats::stored_message& outcome) {
    auto recorded = decode_outcome(outcome.data);
    if (!recorded) return {};  // nothing in it can be trusted, not even what it started
    std::vector<std::string> subjects;
    for (const auto& run : recorded->started) {
        auto decoded = decode_run(run);
        subjects.push_back(decoded ? waiting_subject(*decoded) : subject("runs", ""));
    }
    return publish_runs(recorded->started_ids, recorded->started, subjects, true);
}

bool jetstream_backend::extend(std::uint64_t lease, std::chrono::milliseconds lease_for) {
    std::lock_guard lock(mutex_);
    const auto found = leases_.find(lease);
    if (found == leases_.end()) return false;
    found->second.expires =
        lease_for.count() > 0 ? clock::now() + lease_for : clock::time_point::max();
    return true;
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
