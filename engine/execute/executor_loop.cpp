#include "execute/executor_loop.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "clock.hpp"
#include "ferry/engine/execute/executor.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A round with nothing to do still looks for work this often: work given back with a delay
// becomes claimable without a signal.
constexpr auto idle_look = 250ms;

}  // namespace

executor_loop::executor_loop(executor_host& host, std::uint32_t slot, std::size_t max_in_flight)
    : host_(host),
      backend_(host.backend()),
      slot_(slot),
      max_in_flight_(std::max<std::size_t>(1, max_in_flight)),
      partners_(host.partners()) {
    ctx_.emplace(1);
    wake_.emplace(*ctx_);
}

executor_loop::~executor_loop() {
    partners_.close_idle();  // sockets go before the io_context they belong to
    wake_.reset();
    ctx_.reset();
}

void executor_loop::run(const std::stop_token& stop) {
    ctx_->restart();  // after an earlier stop
    stopping_ = false;
    replies_ = host_.open_replies();
    // A stop request ends the rounds' wait; the rounds then let what is in flight end.
    const std::stop_callback on_stop(stop, [this] {
        asio::post(*ctx_, [this] {
            if (stopping_) return;
            stopping_ = true;
            grace_end_ = clock::now() + host_.settings().stop_grace;
            wake_up();
        });
    });
    asio::co_spawn(*ctx_, rounds(), [](const std::exception_ptr& failure) {
        if (!failure) return;
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            log::error("executor", "an executor loop failed", {{"error", e.what()}});
        }
    });
    ctx_->run();
    partners_.close_idle();
    replies_.reset();  // a ZeroMQ socket is closed by the thread that opened it
}

void executor_loop::signal() {
    if (!wants_signal_.exchange(false)) return;
    asio::post(*ctx_, [this] { wake_up(); });
}

void executor_loop::wake_up() { wake_->cancel(); }

void executor_loop::add_figures(executor_stats& out) const {
    out.in_flight += in_flight();
    out.waiting += waiting();
    const auto partners = partner_counts();
    out.partner_connections_opened += partners.opened;
    out.partner_calls_reused += partners.reused;
    out.partner_sessions_resumed += partners.resumed;
}

std::size_t executor_loop::room() const {
    return stopping_ || in_flight_ >= max_in_flight_ ? 0 : max_in_flight_ - in_flight_;
}

asio::awaitable<void> executor_loop::rounds() {
    for (;;) {
        // Record what finished (the next claim rides in that write), or claim.
        bool started = false;
        if (!finished_.empty()) {
            if (clock::now() >= write_again_at_) started = finish_round(room());
        } else {
            started = claim();
        }
        if (stopping_ && in_flight_ == 0 && finished_.empty()) break;
        if (stopping_ && clock::now() >= grace_end_) {
            if (in_flight_ > 0) {
                log::warn("executor",
                          "stopping with executions still waiting; they run again after the "
                          "restart",
                          {{"executions", std::to_string(in_flight_)}});
            }
            break;
        }
        if (started) {
            // Behind the executions just started: those that do not wait have finished when
            // the round goes on, and are recorded together.
            co_await asio::post(*ctx_, asio::use_awaitable);
            continue;
        }
        if (!finished_.empty() && clock::now() >= write_again_at_) continue;
        // Nothing to do now. A signal is asked for before the last look for work: work
        // that arrives after the look signals this wait. (Asked for only here, so that a busy
        // loop costs the intake nothing.)
        wants_signal_.store(true);
        if (finished_.empty() && claim()) {
            wants_signal_.store(false);
            co_await asio::post(*ctx_, asio::use_awaitable);
            continue;
        }
        // An execution finishing, a signal, the store taking writes again, or the idle look.
        auto until = clock::now() + idle_look;
        if (!finished_.empty()) until = std::max(write_again_at_, clock::now());
        if (stopping_) until = std::min(until, grace_end_);
        wake_->expires_at(until);
        (void)co_await wake_->async_wait(asio::as_tuple(asio::use_awaitable));
        wants_signal_.store(false);
    }
    wants_signal_.store(false);
    ctx_->stop();  // executions still waiting are abandoned (destroyed with the loop)
}

bool executor_loop::claim() {
    const auto space = room();
    if (space == 0) return false;
    const claim_request request{.claimer = slot_,
                                .max = std::min(host_.settings().claim_batch, space)};
    auto lease = backend_.claim(request);
    if (lease.empty()) return false;
    start(std::move(lease));
    return true;
}

void executor_loop::start(execution_lease lease) {
    // The processes deployed now, for this claim's executions.
    const auto context = host_.context_for(lease);
    if (!context) return;
    for (auto& claimed : lease.executions) {
        ++in_flight_;
        in_flight_count_.fetch_add(1, std::memory_order_relaxed);
        asio::co_spawn(*ctx_, run_claimed(lease.id, std::move(claimed), context), asio::detached);
    }
}

asio::awaitable<void> executor_loop::run_claimed(std::uint64_t lease, claimed_execution claimed,
                                                 std::shared_ptr<const lease_context> context) {
    execution_services services;
    services.host = context->host.get();
    services.in_memory = claimed.in_memory();
    services.partners = &partners_;
    services.waiting = &waiting_count_;
    if (replies_) {
        services.respond_now = [this](transport::frames reply, kept_answers pages) {
            replies_->send_early(std::move(reply), std::move(pages));
        };
    }
    execution_output out;
    auto& rec = claimed.record;
    if (claimed.error.empty() && !context->error.empty()) claimed.error = context->error;
    if (claimed.error.empty()) {
        std::string engine_failure;
        try {
            co_await run_execution(rec, std::move(claimed.documents), context->limits, services,
                                   out);
        } catch (const std::exception& e) {
            engine_failure = e.what();
        }
        if (!engine_failure.empty()) {
            out = {};
            fail_execution(rec, "the engine failed: " + engine_failure, services, out);
        }
    } else {
        fail_execution(rec, std::move(claimed.error), services, out);
        // A queue message that cannot run at all (it kept crashing the server, or is
        // unreadable) is a dead letter at once: an operator decides.
        if (const auto q = rec.process_props.find("queue"); q != rec.process_props.end()) {
            out.dead.push_back({rec.id, q->second, now_ms()});
        }
    }
    finished(lease, std::move(rec), std::move(out));
}

void executor_loop::finished(std::uint64_t lease, store::execution_record record,
                             execution_output out) {
    --in_flight_;
    in_flight_count_.fetch_sub(1, std::memory_order_relaxed);
    host_.count_finished({&record, 1});
    // The caller is answered now: its request is durable, and the outcome is recorded with
    // this round (a crash before that runs the execution again). A reply that links to later
    // pages waits for them to be written with the round.
    const bool links_pages = std::any_of(out.answers.begin(), out.answers.end(), [](const auto& a) {
        return a.first.starts_with("page/");
    });
    if (replies_ && !links_pages) {
        for (auto& reply : out.replies) replies_->send_now(std::move(reply));
        out.replies.clear();
    }
    auto& round = finished_;
    if (std::find(round.leases.begin(), round.leases.end(), lease) == round.leases.end()) {
        round.leases.push_back(lease);
    }
    round.records.push_back(std::move(record));
    auto append = [](auto& into, auto& from) {
        into.insert(into.end(), std::make_move_iterator(from.begin()),
                    std::make_move_iterator(from.end()));
    };
    append(round.out.kept, out.kept);
    append(round.out.started, out.started);
    append(round.out.dead, out.dead);
    append(round.out.replies, out.replies);
    append(round.out.answers, out.answers);
    wake_up();
}

bool executor_loop::finish_round(std::size_t room) {
    // Under load the next claim rides in this write: its running note goes in it. A crash
    // between that write and the next claim's start counts one attempt too many for it,
    // harmless. A store that cannot write (a full disk) is waited for: these executions ran,
    // and running them again after a restart would repeat what they did.
    const claim_request next{.claimer = slot_, .max = std::min(host_.settings().claim_batch, room)};
    auto done = backend_.finish(finished_.leases, finished_.records, finished_.out,
                                room > 0 ? &next : nullptr);
    if (!done) {
        if (++failed_writes_ == 1) {
            log::error("executor",
                       "cannot record the end of executions; written again once the store "
                       "takes writes (a stop leaves them to run again after the restart)",
                       {{"executions", std::to_string(finished_.records.size())},
                        {"error", done.error().message()}});
        }
        // A failed write applied nothing: the same write (and what finishes meanwhile) is
        // tried again after the pause.
        write_again_at_ = clock::now() + write_pause_;
        write_pause_ = std::min<std::chrono::milliseconds>(write_pause_ * 2, 5s);
        return false;
    }
    if (failed_writes_ > 0) {
        log::warn("executor", "recorded the end of executions once the store took writes again",
                  {{"executions", std::to_string(finished_.records.size())},
                   {"tries", std::to_string(failed_writes_ + 1)}});
    }
    failed_writes_ = 0;
    write_pause_ = 100ms;
    write_again_at_ = {};
    for (const auto& id : done->dropped) {
        log::warn("executor", "the outcome of an execution whose lease was lost was dropped",
                  {{"execution_id", id}});
    }
    // Replies that link to later pages go once those are written.
    auto replies = std::move(finished_.out.replies);
    finished_ = {};
    for (auto& reply : replies) send_reply(std::move(reply));
    if (done->next.empty()) return false;
    start(std::move(done->next));
    return true;
}

void executor_loop::send_reply(transport::frames reply) {
    if (!replies_) return;
    replies_->send_recorded(std::move(reply));
}

}  // namespace ferry::engine
