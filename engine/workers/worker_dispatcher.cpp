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

}  // namespace

struct worker_dispatcher::state {
    state(transport::context& ctx, const std::string& endpoint) : server(ctx, endpoint) {}

    /// An execution out on a worker, kept whole so that it can be dispatched again.
    struct lease {
        transport::envelope to;
        std::string worker_id;
        executor_pool::work_item item;  // seq and id (its documents live in `ready`)
        executor_pool::prepared ready;
    };
    /// Executions that ended on workers, waiting to be recorded in one write.
    struct finished_round {
        std::vector<executor_pool::work_item> items;
        std::vector<store::execution_record> records;
        execution_output out;

        void add(executor_pool::work_item item, store::execution_record rec,
                 execution_output& from) {
            items.push_back(std::move(item));
            records.push_back(std::move(rec));
            const auto append = [](auto& to, auto& more) {
                to.insert(to.end(), std::make_move_iterator(more.begin()),
                          std::make_move_iterator(more.end()));
            };
            append(out.kept, from.kept);
            append(out.started, from.started);
            append(out.dead, from.dead);
            append(out.replies, from.replies);
            append(out.answers, from.answers);
        }
    };
    /// A round whose write failed (a full disk): written again, after growing pauses, and
    /// nothing more is dispatched until it is.
    struct unrecorded_round {
        std::vector<store::execution_record> records;
        execution_output out;
    };
    struct idle_worker {
        transport::envelope to;
        std::string worker_id;
    };

    transport::batch_server server;
    std::optional<transport::reply_sender> replies;
    std::unordered_map<std::uint64_t, lease> leases;
    std::deque<idle_worker> idle;
    std::deque<lease> retry;  // taken back from workers that went silent
    std::unordered_map<std::string, steady::time_point> last_seen;
    std::deque<unrecorded_round> unrecorded;
    steady::time_point record_again_at{};
    std::chrono::milliseconds record_pause{100};
    std::uint64_t next_lease = 0;
    definitions deployed;
    std::shared_ptr<const registry> deployed_registry;
};

worker_dispatcher::worker_dispatcher(transport::context& ctx, executor_pool& pool,
                                     std::string endpoint, std::chrono::milliseconds lease_timeout)
    : ctx_(ctx), pool_(pool), endpoint_(std::move(endpoint)), lease_timeout_(lease_timeout) {
    signal_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pool_.set_work_signal([this] {
        if (!wants_work_.exchange(false)) return;
        const std::uint64_t one = 1;
        (void)::write(signal_, &one, sizeof one);
    });
}

worker_dispatcher::~worker_dispatcher() {
    stop();
    pool_.set_work_signal({});  // the pool's threads have stopped (runtime::stop) by now
    if (signal_ >= 0) ::close(signal_);
}

void worker_dispatcher::start() {
    // Bound here, so that a bad endpoint fails start-up rather than a thread.
    state_ = std::make_unique<state>(ctx_, endpoint_);
    stopping_ = false;
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "ferry-dispatch");
        run();
    });
}

void worker_dispatcher::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    state_.reset();
}

void worker_dispatcher::run() {
    auto& s = *state_;
    auto& pool = pool_;
    const auto& settings = pool.settings_;
    if (settings.reply_context) s.replies.emplace(*settings.reply_context, settings.reply_endpoint);
    const executor_pool::reply_sink send_reply = [&s](transport::frames f) {
        if (s.replies && !s.replies->send(std::move(f))) {
            log::warn("dispatch", "a synchronous reply could not be sent");
        }
    };
    const auto limits = pool.limits();
    // Crash accounting as for a local executor: one slot past the local threads.
    const auto slot = static_cast<std::uint32_t>(settings.threads);
    const auto running_seqs = [&] {
        std::vector<std::uint64_t> seqs;
        for (const auto& [token, l] : s.leases) {
            if (l.item.seq != 0) seqs.push_back(l.item.seq);
        }
        return seqs;
    };
    const auto note_running = [&] { (void)pool.db_.record_running(slot, running_seqs()); };
    const auto current_definitions = [&]() -> const definitions& {
        auto now = pool.processes_.get();
        if (now.get() != s.deployed.source) {
            s.deployed = definitions_of(*now);
            s.deployed_registry = std::move(now);
        }
        return s.deployed;
    };
    // Records what ended and sends the replies; a write that fails is kept for record_again.
    const auto complete = [&](std::vector<store::execution_record>& finished, execution_output& out,
                              bool in_memory, const store::store::running_note* note) {
        if (pool.complete(finished, out, in_memory, send_reply, note)) return;
        if (in_memory) finished.clear();  // only what they started is written
        out.replies.clear();              // sent
        s.unrecorded.push_back({std::move(finished), std::move(out)});
        s.record_again_at = steady::now() + s.record_pause;
    };
    const auto record_again = [&] {
        using namespace std::chrono_literals;
        while (!s.unrecorded.empty() && steady::now() >= s.record_again_at) {
            auto& u = s.unrecorded.front();
            if (!pool.db_.finish_executions(u.records, u.out.kept, u.out.started, u.out.dead,
                                            nullptr)) {
                s.record_pause = std::min<std::chrono::milliseconds>(s.record_pause * 2, 5s);
                s.record_again_at = steady::now() + s.record_pause;
                return;
            }
            log::warn("dispatch", "recorded the end of executions once the store took writes again",
                      {{"executions", std::to_string(u.records.size())}});
            pool.queue_started(u.out.started);
            s.unrecorded.pop_front();
            s.record_pause = 100ms;
        }
    };
    // Records an execution that ended (on a worker, or here before it could be sent).
    const auto finish = [&](executor_pool::work_item& item, store::execution_record rec,
                            execution_output& out) {
        const bool in_memory = item.seq == 0;
        rec.pending_seq = item.seq;
        std::vector<store::execution_record> finished;
        finished.push_back(std::move(rec));
        complete(finished, out, in_memory, nullptr);
        if (!in_memory) pool.mark_done(std::span(&item, 1));
    };
    // The stored executions whose results came in this round: recorded together, in one write
    // with the slot's running note, instead of two writes per execution.
    state::finished_round round;
    bool leases_changed = false;
    const auto record_round = [&] {
        if (round.records.empty()) {
            if (leases_changed) note_running();
        } else {
            const store::store::running_note note{slot, running_seqs()};
            complete(round.records, round.out, false, &note);
            pool.mark_done(round.items);
            round = {};
        }
        leases_changed = false;
    };
    const auto fail_unsent = [&](state::lease& l, std::string error) {
        execution_output out;
        execution_services services;
        if (s.replies) services.respond_now = [](transport::frames, kept_answers) {};
        fail_execution(l.ready.record, std::move(error), services, out);
        finish(l.item, std::move(l.ready.record), out);
    };

    const auto handle = [&](transport::envelope& env) {
        if (env.body.empty()) return;
        const auto header = proto::decode_worker_header(env.body[0]);
        if (!header) {
            log::warn("dispatch", "malformed message from a worker dropped");
            return;
        }
        s.last_seen[header->worker_id] = steady::now();
        const auto becomes_idle = [&] {
            for (const auto& [token, l] : s.leases) {
                if (l.to.routing_id == env.routing_id) return;  // still busy (a late repeat)
            }
            for (const auto& w : s.idle) {
                if (w.to.routing_id == env.routing_id) return;  // already waiting
            }
            s.idle.push_back({env, header->worker_id});
        };
        switch (header->what) {
            case proto::kind::ready:
                becomes_idle();
                return;
            case proto::kind::result: {
                const auto it = s.leases.find(header->lease);
                if (it == s.leases.end() || it->second.to.routing_id != env.routing_id) {
                    log::warn("dispatch", "a result came after its lease was taken back; dropped",
                              {{"lease", std::to_string(header->lease)}});
                } else {
                    auto l = std::move(it->second);
                    s.leases.erase(it);
                    auto result =
                        env.body.size() == 2
                            ? proto::decode_result(env.body[1])
                            : boost::system::result<proto::result>(transport::errc::bad_message);
                    if (!result || result->record.id != l.ready.record.id) {
                        fail_unsent(l, "the worker sent back an unreadable result");
                    } else if (l.item.seq == 0) {
                        finish(l.item, std::move(result->record), result->output);
                    } else {
                        result->record.pending_seq = l.item.seq;
                        round.add(std::move(l.item), std::move(result->record), result->output);
                    }
                    leases_changed = true;
                }
                becomes_idle();
                return;
            }
            case proto::kind::early_reply: {
                auto early =
                    env.body.size() == 2
                        ? proto::decode_early_reply(env.body[1])
                        : boost::system::result<std::pair<transport::frames, kept_answers>>(
                              transport::errc::bad_message);
                if (!early) return;
                // The pages the reply links to are kept before it goes out.
                if (!early->second.empty()) (void)pool.db_.put_answers(early->second);
                send_reply(std::move(early->first));
                return;
            }
            case proto::kind::sequence: {
                const auto first = pool.db_.reserve_sequence(header->sequence_name, header->count);
                (void)s.server.reply(env, proto::encode_sequence_values(first ? *first : 0));
                return;
            }
            case proto::kind::definitions: {
                const auto& d = current_definitions();
                (void)s.server.reply(env, proto::encode_deployed(d.generation, d.files));
                return;
            }
            default:
                return;  // alive: last_seen is all it is for
        }
    };

    // Workers that went silent lose their idle places and their leases.
    const auto expire = [&] {
        const auto now = steady::now();
        for (auto it = s.last_seen.begin(); it != s.last_seen.end();) {
            if (now - it->second <= lease_timeout_) {
                ++it;
                continue;
            }
            const auto dead = it->first;
            it = s.last_seen.erase(it);
            std::erase_if(s.idle, [&](const auto& w) { return w.worker_id == dead; });
            std::size_t taken = 0;
            for (auto l = s.leases.begin(); l != s.leases.end();) {
                if (l->second.worker_id != dead) {
                    ++l;
                    continue;
                }
                s.retry.push_back(std::move(l->second));
                l = s.leases.erase(l);
                ++taken;
            }
            if (taken > 0) {
                log::warn("dispatch", "a worker went silent; its executions are dispatched again",
                          {{"worker", dead}, {"executions", std::to_string(taken)}});
                leases_changed = true;
            }
        }
        live_workers_ = s.last_seen.size();
    };

    const auto dispatch = [&] {
        bool leased = false;
        while (!s.idle.empty()) {
            std::optional<state::lease> next;
            if (!s.retry.empty()) {
                next = std::move(s.retry.front());
                s.retry.pop_front();
                if (next->item.seq == 0) {
                    // Nothing of a low_latency execution is stored: it cannot be resumed.
                    fail_unsent(*next, "the worker running this execution stopped answering");
                    continue;
                }
                auto& rec = next->ready.record;
                if (++rec.attempts > settings.max_attempts) {
                    fail_unsent(*next, "abandoned after " + std::to_string(settings.max_attempts) +
                                           " attempts that did not finish (the workers running "
                                           "it stopped answering)");
                    continue;
                }
            } else {
                auto claimed = pool.try_claim(1);
                if (claimed.empty()) break;
                next.emplace();
                next->item = std::move(claimed.front());
                if (next->item.seq != 0) pool.mark_running(std::span(&next->item, 1), now_ms());
                next->ready = pool.prepare(next->item, now_ms());
                if (!next->ready.error.empty()) {
                    fail_unsent(*next, std::move(next->ready.error));
                    continue;
                }
            }
            auto worker = std::move(s.idle.front());
            s.idle.pop_front();
            proto::work w;
            w.lease = ++s.next_lease;
            w.generation = current_definitions().generation;
            w.in_memory = next->item.seq == 0;
            w.limits = limits;
            w.record = next->ready.record;
            w.documents = next->ready.documents;
            (void)s.server.reply(worker.to, proto::encode_work(w));
            next->to = std::move(worker.to);
            next->worker_id = std::move(worker.worker_id);
            s.leases.emplace(w.lease, std::move(*next));
            leased = true;
        }
        if (leased) leases_changed = true;
    };

    while (!stopping_) {
        const auto ready = s.server.wait(std::chrono::milliseconds(100), signal_);
        if (!ready) {
            if (ready.error() == transport::errc::shutting_down) break;
            continue;
        }
        if (ready->descriptor) {
            std::uint64_t drained = 0;
            (void)::read(signal_, &drained, sizeof drained);
        }
        if (ready->requests) {
            auto messages = s.server.take(1000);
            if (messages) {
                for (auto& env : *messages) handle(env);
            }
        }
        expire();
        record_again();
        // Asked for before looking: work that arrives after the last look still signals.
        if (!s.idle.empty()) wants_work_ = true;
        // No more work goes out while outcomes wait for the store to take writes again.
        if (s.unrecorded.empty()) dispatch();
        record_round();
    }
    record_round();
    if (!s.unrecorded.empty()) {
        log::warn("dispatch",
                  "stopping with executions whose end is not recorded; they run again "
                  "after the restart",
                  {{"rounds", std::to_string(s.unrecorded.size())}});
    }
    // Leased executions stay pending in the store (they run at the next start); in-memory
    // ones are gone with this process, as their callers are.
    for (auto& [token, l] : s.leases) {
        if (l.item.seq != 0) pool.mark_done(std::span(&l.item, 1));
    }
    for (auto& l : s.retry) {
        if (l.item.seq != 0) pool.mark_done(std::span(&l.item, 1));
    }
}

}  // namespace ferry::engine
