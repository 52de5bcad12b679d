#include "workers/worker_dispatcher.hpp"

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <optional>
#include <unordered_map>

#include "clock.hpp"
#include "execute/execution.hpp"
#include "execute/execution_backend.hpp"
#include "ferry/engine/intake/idempotency.hpp"
#include "ferry/store/log.hpp"
#include "ferry/transport/batch_server.hpp"
#include "ferry/transport/error.hpp"
#include "ferry/transport/reply_channel.hpp"
#include "workers/worker_protocol.hpp"

namespace ferry::engine {
namespace proto = worker_protocol;
using steady = std::chrono::steady_clock;

namespace {

/// The deployed definitions as workers load them, and an id that changes when they change.
struct definitions {
    const registry* source = nullptr;
    std::string generation;
    std::vector<std::pair<std::string, std::string>> files;
};

definitions definitions_of(const registry& r) {
    definitions out;
    out.source = &r;
    request_fingerprint id;
    for (const auto& [name, p] : r.active()) {
        out.files.emplace_back(p->source_file, p->source_text);
        id.add(p->source_file);
        id.add(std::string_view("\0", 1));
        id.add(p->source_text);
    }
    out.generation = id.hex();
    return out;
}

// A claim for a worker goes out as one message: larger than a local executor's claim, as
// the message costs more than the claim. Measured: 256 drains a backlog about 5 % faster than
// 64 (with the worker's claims of 128), and 64 faster than 16.
constexpr std::size_t claim_for_worker = 256;
// Claims per worker in one turn of the loop.
constexpr std::size_t claims_per_turn = 4;

template <class T>
void append(std::vector<T>& to, std::vector<T>& more) {
    to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

}  // namespace

/// The dispatcher's thread: everything below runs on it alone.
class worker_dispatcher::loop {
public:
    loop(worker_dispatcher& owner, const std::string& endpoint)
        : owner_(owner),
          pool_(owner.pool_),
          backend_(owner.pool_.backend()),
          server_(owner.ctx_, endpoint),
          // Its claims name one slot past the local threads (they are not noted).
          slot_(static_cast<std::uint32_t>(owner.pool_.settings().threads)) {
        const auto& settings = pool_.settings();
        if (settings.reply_context)
            replies_.emplace(*settings.reply_context, settings.reply_endpoint);
    }

    void run(const std::stop_token& stop);

private:
    /// An execution out on a worker.
    struct lease {
        std::string link;  // the routing id of the worker's feed
        std::string worker_id;
        std::uint64_t backend_lease = 0;
        std::string execution_id;
        std::uint64_t seq = 0;      // in the backend's pending queue
        std::uint64_t message = 0;  // the number of the work message it went in
        steady::time_point sent{};
    };
    /// A worker process's feed: what it may be sent now.
    struct worker_link {
        transport::envelope to;
        std::string worker_id;
        std::size_t credit = 0;  // executions it asked for and was not sent yet
        std::size_t out = 0;     // executions out on it
    };
    /// Executions that ended, reported to the backend together (one write); kept, with
    /// growing pauses, while the store refuses writes (a full disk).
    struct round {
        std::vector<std::uint64_t> leases;
        std::vector<store::execution_record> records;
        execution_output out;

        bool empty() const { return records.empty() && out.encoded.records.empty(); }
        std::size_t size() const { return records.size() + out.encoded.records.size(); }
        void add_lease(std::uint64_t lease) {
            if (std::find(leases.begin(), leases.end(), lease) == leases.end()) {
                leases.push_back(lease);
            }
        }
        void add(std::uint64_t lease, store::execution_record rec) {
            add_lease(lease);
            records.push_back(std::move(rec));
        }
        void add(std::uint64_t lease, store::encoded_record rec) {
            add_lease(lease);
            out.encoded.records.push_back(std::move(rec));
        }
        void add(execution_output& from) {
            append(out.kept, from.kept);
            append(out.encoded.documents, from.encoded.documents);
            append(out.started, from.started);
            append(out.dead, from.dead);
            append(out.replies, from.replies);
            append(out.answers, from.answers);
        }
    };

    void handle(transport::envelope& env);
    void take_results(transport::envelope& env);
    void asks_for_work(const transport::envelope& env, const std::string& worker_id,
                       std::size_t count, bool holds_nothing);
    /// A worker that holds nothing and received work messages up to `received` lost what
    /// those carried and did not answer, and what was sent to it longer than a lease ago:
    /// taken back, to run again.
    void take_back_lost(const std::string& worker_id, std::uint64_t received);
    void expire_silent_workers();
    /// Refreshes what workers() returns, now and then.
    void publish_views();
    /// Keeps the backend leases of live workers (their heartbeats say they are alive).
    void extend_leases();
    /// Claims and sends work for workers with credit; true when it stopped with credit and
    /// work left (the next turn goes on without waiting).
    bool dispatch();
    /// Fails an execution that cannot be sent (or whose result is unreadable) at once.
    void fail_unsent(std::uint64_t backend_lease, claimed_execution& work, std::string error);
    void report(round r);
    void report_again();
    void send_reply(transport::frames f);
    const definitions& current_definitions();

    worker_dispatcher& owner_;
    executor_pool& pool_;
    execution_backend& backend_;
    transport::batch_server server_;
    std::optional<transport::reply_sender> replies_;
    const std::uint32_t slot_;
    std::unordered_map<std::uint64_t, lease> leases_;     // by the token sent to the worker
    std::unordered_map<std::string, worker_link> links_;  // by routing id
    std::unordered_map<std::uint64_t, std::size_t> backend_leases_;  // executions out per lease
    steady::time_point extended_at_{};
    std::unordered_map<std::string, steady::time_point> last_seen_;
    std::unordered_map<std::string, worker_report> reports_;  // by worker id
    steady::time_point published_at_{};
    round current_;                 // results of this turn of the loop
    std::deque<round> unrecorded_;  // rounds whose write failed
    steady::time_point report_again_at_{};
    std::chrono::milliseconds report_pause_{100};
    std::uint64_t next_token_ = 0;
    // Work messages are numbered from the start time on, so that a restarted server's numbers
    // are above its predecessor's (take_back_lost() compares them with what a worker received).
    std::uint64_t next_message_ = static_cast<std::uint64_t>(now_ms()) * 1000;
    definitions deployed_;
    std::shared_ptr<const registry> deployed_registry_;
};

worker_dispatcher::worker_dispatcher(transport::context& ctx, executor_pool& pool,
                                     const registry_holder& processes, std::string endpoint,
                                     std::chrono::milliseconds lease_timeout)
    : ctx_(ctx),
      pool_(pool),
      processes_(processes),
      endpoint_(std::move(endpoint)),
      lease_timeout_(lease_timeout) {
    signal_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    work_signal_ = pool_.backend().on_new_work([this] {
        if (!wants_work_.exchange(false)) return;
        const std::uint64_t one = 1;
        (void)::write(signal_, &one, sizeof one);
    });
}

worker_dispatcher::~worker_dispatcher() {
    stop();
    pool_.backend().stop_signalling(work_signal_);
    if (signal_ >= 0) ::close(signal_);
}

std::vector<worker_view> worker_dispatcher::workers() const {
    std::lock_guard lock(views_mutex_);
    return views_;
}

void worker_dispatcher::start() {
    // Bound here, so that a bad endpoint fails start-up rather than a thread.
    loop_ = std::make_unique<loop>(*this, endpoint_);
    thread_.start("ferry-dispatch", [this](std::stop_token stop) { loop_->run(stop); });
}

void worker_dispatcher::stop() {
    thread_.stop();
    loop_.reset();
}

void worker_dispatcher::loop::run(const std::stop_token& stop) {
    bool more = false;  // claims left over from the last turn
    while (!stop.stop_requested()) {
        const auto ready = server_.wait(std::chrono::milliseconds(more ? 0 : 100), owner_.signal_);
        if (!ready) {
            if (ready.error() == transport::errc::shutting_down) break;
            continue;
        }
        if (ready->descriptor) {
            std::uint64_t drained = 0;
            (void)::read(owner_.signal_, &drained, sizeof drained);
        }
        if (ready->requests) {
            if (auto messages = server_.take(1000)) {
                for (auto& env : *messages) handle(env);
            }
        }
        expire_silent_workers();
        extend_leases();
        report_again();
        // Asked for before looking: work that arrives after the last look still signals.
        if (std::any_of(links_.begin(), links_.end(),
                        [](const auto& l) { return l.second.credit > 0; })) {
            owner_.wants_work_ = true;
        }
        // No more work goes out while outcomes wait for the store to take writes again.
        more = unrecorded_.empty() && dispatch();
        publish_views();
        if (!current_.empty()) report(std::exchange(current_, {}));
    }
    if (!current_.empty()) report(std::exchange(current_, {}));
    if (!unrecorded_.empty()) {
        log::warn("dispatch",
                  "stopping with executions whose end is not recorded; they run again "
                  "after the restart",
                  {{"rounds", std::to_string(unrecorded_.size())}});
    }
    // Leased executions stay pending in the store (they run at the next start); in-memory
    // ones are gone with this process, as their callers are.
}

void worker_dispatcher::loop::send_reply(transport::frames f) {
    if (replies_ && !replies_->send(std::move(f))) {
        log::warn("dispatch", "a synchronous reply could not be sent");
    }
}

const definitions& worker_dispatcher::loop::current_definitions() {
    auto now = owner_.processes_.get();
    if (now.get() != deployed_.source) {
        deployed_ = definitions_of(*now);
        deployed_registry_ = std::move(now);
    }
    return deployed_;
}

void worker_dispatcher::loop::handle(transport::envelope& env) {
    if (env.body.empty()) return;
    const auto header = proto::decode_worker_header(env.body[0]);
    if (!header) {
        log::warn("dispatch", "malformed message from a worker dropped");
        return;
    }
    // Whatever a worker sends says it is alive (extend_leases()).
    last_seen_[header->worker_id] = steady::now();
    switch (header->what) {
        case proto::kind::ready:
            asks_for_work(env, header->worker_id, header->count, false);
            return;
        case proto::kind::ready_all:
            take_back_lost(header->worker_id, header->received);
            asks_for_work(env, header->worker_id, header->count, true);
            return;
        case proto::kind::results:
            take_results(env);
            return;
        case proto::kind::early_reply: {
            auto early = env.body.size() == 2
                             ? proto::decode_early_reply(env.body[1])
                             : boost::system::result<std::pair<transport::frames, kept_answers>>(
                                   transport::errc::bad_message);
            if (!early) return;
            // The pages the reply links to are kept before it goes out.
            backend_.keep_answers(early->second);
            send_reply(std::move(early->first));
            return;
        }
        case proto::kind::sequence: {
            const auto first = backend_.reserve_sequence(header->sequence_name, header->count);
            (void)server_.reply(env, proto::encode_sequence_values(first ? *first : 0));
            return;
        }
        case proto::kind::definitions: {
            const auto& d = current_definitions();
            (void)server_.reply(env, proto::encode_deployed(d.generation, d.files));
            return;
        }
        case proto::kind::alive:
            // A report rides along (from a worker of this version).
            if (env.body.size() == 2) {
                if (auto report = proto::decode_report(env.body[1])) {
                    reports_[header->worker_id] = std::move(*report);
                }
            }
            return;
        default:
            return;
    }
}

void worker_dispatcher::loop::take_results(transport::envelope& env) {
    auto results = env.body.size() == 2
                       ? proto::decode_results(env.body[1])
                       : boost::system::result<proto::results>(transport::errc::bad_message);
    if (!results) {
        // Which executions it answers is unreadable too: they are taken back when the worker
        // next says it holds nothing (take_back_lost()), and run again.
        log::warn("dispatch", "an unreadable result from a worker was dropped");
        return;
    }
    bool any = false;
    // Whether the backend still holds each lease (asked once per lease: it takes its lock),
    // and from now on without expiry: only the write remains.
    std::vector<std::pair<std::uint64_t, bool>> held;
    const auto still_held = [&](std::uint64_t backend_lease) {
        for (const auto& [id, yes] : held) {
            if (id == backend_lease) return yes;
        }
        held.emplace_back(backend_lease,
                          backend_.extend(backend_lease, std::chrono::milliseconds(0)));
        return held.back().second;
    };
    // Debug logging names every execution that succeeded: then they are all decoded.
    const bool log_each = log::enabled(log::level::debug);
    for (std::size_t i = 0; i < results->records.size(); ++i) {
        const auto& head = results->heads[i];
        const auto token = results->leases[i];
        const auto it = leases_.find(token);
        // A lease taken back meanwhile (its worker went silent) runs elsewhere now.
        if (it == leases_.end() || it->second.link != env.routing_id ||
            head.id != it->second.execution_id || !still_held(it->second.backend_lease)) {
            log::warn("dispatch", "a result came after its lease was taken back; dropped",
                      {{"execution_id", std::string(head.id)}});
            continue;
        }
        auto l = std::move(it->second);
        leases_.erase(it);
        if (const auto link = links_.find(l.link); link != links_.end() && link->second.out > 0) {
            --link->second.out;
        }
        if (const auto b = backend_leases_.find(l.backend_lease); b != backend_leases_.end()) {
            if (--b->second == 0) backend_leases_.erase(b);
        }
        any = true;
        // A success as the worker stored it is written as it came; anything else (a failure
        // is logged with its details) is decoded.
        if (!log_each && head.state == store::execution_state::succeeded && head.finished_ms != 0 &&
            head.pending_seq == l.seq) {
            current_.add(l.backend_lease, store::encoded_record{std::move(l.execution_id), l.seq,
                                                                std::string(results->records[i])});
            continue;
        }
        auto record = store::decode_execution(results->records[i]);
        if (!record) continue;  // checked whole when the message was read
        record->pending_seq = l.seq;
        current_.add(l.backend_lease, std::move(*record));
    }
    // What the executions left is written with those of them that still hold their lease.
    if (any) current_.add(results->output);
}

void worker_dispatcher::loop::asks_for_work(const transport::envelope& env,
                                            const std::string& worker_id, std::size_t count,
                                            bool holds_nothing) {
    auto& link = links_[env.routing_id];
    link.to = env;
    link.to.body.clear();
    link.worker_id = worker_id;
    // "I hold nothing": what is on its way to it counts against what it may take.
    link.credit = holds_nothing ? (count > link.out ? count - link.out : 0) : link.credit + count;
}

void worker_dispatcher::loop::take_back_lost(const std::string& worker_id, std::uint64_t received) {
    // Messages on one connection arrive in order, and a worker answers what it finished
    // before it says it holds nothing: a lease of a message up to `received` still out was
    // dropped unreadable (either way), or sent on a connection that broke. So was one sent
    // longer than a lease ago (the last message before a break, with none after it).
    const auto long_ago = steady::now() - owner_.lease_timeout_;
    std::vector<std::uint64_t> lost;  // backend leases: one per message
    std::size_t taken = 0;
    for (auto l = leases_.begin(); l != leases_.end();) {
        if (l->second.worker_id != worker_id ||
            (l->second.message > received && l->second.sent > long_ago)) {
            ++l;
            continue;
        }
        if (const auto link = links_.find(l->second.link);
            link != links_.end() && link->second.out > 0) {
            --link->second.out;
        }
        if (backend_leases_.erase(l->second.backend_lease) > 0) {
            lost.push_back(l->second.backend_lease);
        }
        l = leases_.erase(l);
        ++taken;
    }
    if (taken == 0) return;
    for (const auto id : lost) backend_.release(id, std::chrono::milliseconds(0));
    log::warn("dispatch",
              "a worker holds nothing of executions it was sent (a message or its answer was "
              "lost); they are dispatched again",
              {{"worker", worker_id}, {"executions", std::to_string(taken)}});
}

// Workers that went silent lose their idle places and their leases, which the backend hands
// out again (their attempt counted).
void worker_dispatcher::loop::expire_silent_workers() {
    const auto now = steady::now();
    for (auto it = last_seen_.begin(); it != last_seen_.end();) {
        if (now - it->second <= owner_.lease_timeout_) {
            ++it;
            continue;
        }
        const auto dead = it->first;
        it = last_seen_.erase(it);
        reports_.erase(dead);
        std::erase_if(links_, [&](const auto& l) { return l.second.worker_id == dead; });
        std::size_t taken = 0;
        for (auto l = leases_.begin(); l != leases_.end();) {
            if (l->second.worker_id != dead) {
                ++l;
                continue;
            }
            // Every execution of a backend lease went to the same worker.
            if (backend_leases_.erase(l->second.backend_lease) > 0) {
                backend_.release(l->second.backend_lease, std::chrono::milliseconds(0));
            }
            l = leases_.erase(l);
            ++taken;
        }
        if (taken > 0) {
            log::warn("dispatch", "a worker went silent; its executions are dispatched again",
                      {{"worker", dead}, {"executions", std::to_string(taken)}});
        }
    }
    owner_.live_workers_ = last_seen_.size();
}

void worker_dispatcher::loop::publish_views() {
    const auto now = steady::now();
    if (now - published_at_ < std::chrono::milliseconds(200)) return;
    published_at_ = now;
    std::vector<worker_view> views;
    for (const auto& [id, seen] : last_seen_) {
        worker_view v;
        v.report.id = id;
        if (const auto r = reports_.find(id); r != reports_.end()) {
            v.report = r->second;
            v.reported = true;
        }
        v.heard_ms_ago = std::chrono::duration_cast<std::chrono::milliseconds>(now - seen).count();
        for (const auto& [routing_id, link] : links_) {
            if (link.worker_id == id) v.leased += link.out;
        }
        views.push_back(std::move(v));
    }
    std::sort(views.begin(), views.end(),
              [](const auto& a, const auto& b) { return a.report.id < b.report.id; });
    std::lock_guard lock(owner_.views_mutex_);
    owner_.views_ = std::move(views);
}

void worker_dispatcher::loop::extend_leases() {
    const auto now = steady::now();
    if (now - extended_at_ < owner_.lease_timeout_ / 4) return;
    extended_at_ = now;
    // The backend's expiry is only a safety net behind expire_silent_workers(): a live
    // worker's leases never run out, however long its executions wait.
    for (const auto& [id, count] : backend_leases_) {
        (void)backend_.extend(id, 2 * owner_.lease_timeout_);
    }
}

bool worker_dispatcher::loop::dispatch() {
    const auto batch = std::max(claim_for_worker, pool_.settings().claim_batch);
    // A batch per worker in turn, so that one worker's credit does not take all the work; a
    // few batches per turn, so that outcomes and requests are taken in between.
    const auto now = steady::now();
    for (std::size_t turn = 0; turn < claims_per_turn; ++turn) {
        for (auto& [routing_id, link] : links_) {
            if (link.credit == 0) continue;
            // Not noted (what runs on a worker cannot take this process down); the records in
            // their stored form, as they go out.
            const claim_request request{.claimer = slot_,
                                        .max = std::min(batch, link.credit),
                                        .lease_for = 2 * owner_.lease_timeout_,
                                        .noted = false,
                                        .stored_form = true};
            auto claimed = backend_.claim(request);
            if (claimed.empty()) return false;
            // The claim goes out as one message.
            proto::work w;
            w.number = ++next_message_;
            w.generation = current_definitions().generation;
            w.limits = pool_.limits();
            w.executions.reserve(claimed.executions.size());
            for (auto& work : claimed.executions) {
                if (!work.error.empty()) {
                    fail_unsent(claimed.id, work, std::move(work.error));
                    continue;
                }
                const auto token = ++next_token_;
                leases_.emplace(token, lease{routing_id, link.worker_id, claimed.id, work.record.id,
                                             work.seq, w.number, now});
                w.executions.push_back({token, work.in_memory(), std::move(work.record),
                                        std::move(work.documents), std::move(work.stored_record),
                                        std::move(work.stored_documents)});
            }
            if (w.executions.empty()) continue;
            (void)server_.reply(link.to, proto::encode_work(w));
            backend_leases_[claimed.id] += w.executions.size();
            link.out += w.executions.size();
            link.credit -= std::min(link.credit, w.executions.size());
        }
    }
    return std::any_of(links_.begin(), links_.end(),
                       [](const auto& l) { return l.second.credit > 0; });
}

void worker_dispatcher::loop::fail_unsent(std::uint64_t backend_lease, claimed_execution& work,
                                          std::string error) {
    execution_output out;
    execution_services services;
    if (replies_) services.respond_now = [](transport::frames, kept_answers) {};
    fail_execution(work.record, std::move(error), services, out);
    work.record.pending_seq = work.seq;
    current_.add(backend_lease, std::move(work.record));
    current_.add(out);
}

// Records what ended and sends the replies; a round the store refuses is kept for
// report_again().
void worker_dispatcher::loop::report(round r) {
    pool_.count_finished(r.records);
    pool_.count_succeeded(r.out.encoded.records.size());
    auto done = backend_.finish(r.leases, r.records, r.out);
    if (!done) {
        log::error("dispatch",
                   "cannot record the end of executions; written again once the store takes "
                   "writes",
                   {{"executions", std::to_string(r.size())}, {"error", done.error().message()}});
        unrecorded_.push_back(std::move(r));
        report_again_at_ = steady::now() + report_pause_;
        return;
    }
    for (const auto& id : done->dropped) {
        log::warn("dispatch", "the result of an execution whose lease was lost was dropped",
                  {{"execution_id", id}});
    }
    // Synchronous callers get their replies once the outcome is recorded.
    for (auto& reply : r.out.replies) send_reply(std::move(reply));
}

void worker_dispatcher::loop::report_again() {
    using namespace std::chrono_literals;
    while (!unrecorded_.empty() && steady::now() >= report_again_at_) {
        auto& r = unrecorded_.front();
        if (!backend_.finish(r.leases, r.records, r.out)) {
            report_pause_ = std::min<std::chrono::milliseconds>(report_pause_ * 2, 5s);
            report_again_at_ = steady::now() + report_pause_;
            return;
        }
        log::warn("dispatch", "recorded the end of executions once the store took writes again",
                  {{"executions", std::to_string(r.size())}});
        for (auto& reply : r.out.replies) send_reply(std::move(reply));
        unrecorded_.pop_front();
        report_pause_ = 100ms;
    }
}

}  // namespace ferry::engine
