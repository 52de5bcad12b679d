#include "ferry/engine/execute/executor.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "clock.hpp"
#include "execute/execution.hpp"
#include "execute/pending_queue.hpp"
#include "ferry/store/log.hpp"
#include "ferry/transport/reply_channel.hpp"

namespace ferry::engine {
namespace {

// One line per finished execution: failures as warnings, successes at debug level (a busy
// server finishes thousands a second).
void log_finished(const store::execution_record& rec, bool ok) {
    const auto level = ok ? log::level::debug : log::level::warn;
    if (!log::enabled(level)) return;
    const auto correlation = rec.process_props.find("correlation_id");
    log::write(level, "executor", ok ? "execution succeeded" : "execution failed",
               {{"execution_id", rec.id},
                {"process", rec.process},
                {"version", std::to_string(rec.process_version)},
                {"correlation_id", correlation == rec.process_props.end()
                                       ? std::string_view(rec.reply_to)
                                       : std::string_view(correlation->second)},
                {"duration_ms", std::to_string(rec.finished_ms - rec.started_ms)},
                {"error", rec.error}});
}

// The deployed processes of one batch, with sequential values reserved in the store.
class stored_sequences_host final : public registry_host {
public:
    stored_sequences_host(std::shared_ptr<const registry> processes, executor_pool& pool)
        : registry_host(std::move(processes)), pool_(pool) {}
    boost::system::result<std::uint64_t> next_sequence(std::string_view name) override {
        return pool_.next_sequence(name);
    }

private:
    executor_pool& pool_;
};

}  // namespace

executor_pool::executor_pool(store::store& db, const registry_holder& processes,
                             executor_settings settings)
    : processes_(processes),
      settings_(std::move(settings)),
      queue_(std::make_unique<pending_queue>(
          db, pending_queue::settings{settings_.max_attempts, settings_.handoff_limit})) {}

executor_pool::~executor_pool() { stop(); }

void executor_pool::start() {
    queue_->start();
    threads_.start(settings_.threads, "ferry-executor",
                   [this](std::size_t slot, const std::stop_token& stop) {
                       // Acknowledging posts comes first; executions catch up from the durable
                       // queue.
                       if (settings_.nice != 0)
                           setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), settings_.nice);
                       worker(static_cast<std::uint32_t>(slot), stop);
                   });
}

void executor_pool::stop() {
    threads_.request_stop();  // ends pauses between failed writes
    queue_->stop();           // ends claims that wait for work
    threads_.stop();
}

void executor_pool::notify(std::uint64_t committed_seq, std::vector<store::new_execution> fresh) {
    queue_->notify(committed_seq, std::move(fresh));
}

bool executor_pool::run_in_memory(store::new_execution execution) {
    return queue_->run_in_memory(std::move(execution));
}

std::optional<std::int64_t> executor_pool::running_since(const std::string& execution_id) const {
    return queue_->running_since(execution_id);
}

executor_stats executor_pool::stats() const {
    return {succeeded_.load(), failed_.load(), queue_->running()};
}

std::uint64_t executor_pool::backlog() const { return queue_->backlog(); }

void executor_pool::on_delayed(std::function<void(const std::vector<store::waiting_entry>&)> sink) {
    queue_->on_delayed(std::move(sink));
}

execution_backend& executor_pool::backend() { return *queue_; }

boost::system::result<std::uint64_t> executor_pool::next_sequence(std::string_view name) {
    constexpr std::uint64_t block = 100;
    std::lock_guard lock(sequences_mutex_);
    auto& b = sequences_[std::string(name)];
    if (b.next == b.end) {
        const auto first = queue_->reserve_sequence(name, block);
        if (!first) return first.error();
        b = {*first, *first + block};
    }
    return b.next++;
}

execution_services executor_pool::services(const reply_sink& send_reply, bool in_memory,
                                           run_host& host) {
    execution_services out;
    out.host = &host;
    out.in_memory = in_memory;
    if (send_reply) {
        out.respond_now = [this, &send_reply](transport::frames reply, kept_answers pages) {
            // The pages the early reply links to are kept before it goes out.
            queue_->keep_answers(pages);
            send_reply(std::move(reply));
        };
    }
    return out;
}

void executor_pool::count_finished(std::span<store::execution_record> finished) {
    for (auto& rec : finished) {
        if (rec.finished_ms == 0) rec.finished_ms = now_ms();
        const bool ok = rec.state == store::execution_state::succeeded;
        (ok ? succeeded_ : failed_).fetch_add(1, std::memory_order_relaxed);
        log_finished(rec, ok);
    }
}

void executor_pool::worker(std::uint32_t slot, const std::stop_token& stop) {
    using namespace std::chrono_literals;
    // Each executor thread has its own reply socket (ZeroMQ sockets are single-threaded).
    std::optional<transport::reply_sender> replies;
    if (settings_.reply_context)
        replies.emplace(*settings_.reply_context, settings_.reply_endpoint);
    reply_sink send_reply;
    if (replies) {
        send_reply = [&replies](transport::frames f) {
            if (!replies->send(std::move(f))) {
                log::warn("executor", "a synchronous reply could not be sent");
            }
        };
    }
    auto& backend = *queue_;
    const claim_request waiting{slot, settings_.claim_batch, true};
    const claim_request next_batch{slot, settings_.claim_batch, false};
    execution_lease lease = backend.claim(waiting);
    while (!lease.empty()) {
        const bool in_memory = lease.executions.front().in_memory();
        // The processes deployed now, for this batch; sequences reserved in the store.
        stored_sequences_host host(processes_.get(), *this);
        const auto run_with = services(send_reply, in_memory, host);
        execution_output out;
        std::vector<store::execution_record> finished;
        finished.reserve(lease.executions.size());
        for (auto& claimed : lease.executions) {
            if (claimed.error.empty()) {
                run_execution(claimed.record, std::move(claimed.documents), settings_.limits,
                              run_with, out);
            } else {
                fail_execution(claimed.record, std::move(claimed.error), run_with, out);
                // A queue message that cannot run at all (it kept crashing the server, or is
                // unreadable) is a dead letter at once: an operator decides.
                const auto& props = claimed.record.process_props;
                if (const auto q = props.find("queue"); q != props.end()) {
                    out.dead.push_back({claimed.record.id, q->second, now_ms()});
                }
            }
            finished.push_back(std::move(claimed.record));
        }
        count_finished(finished);
        // Under load the next batch is already waiting: claimed with this batch's write, its
        // running note goes in it (one write per batch instead of two). A crash between that
        // write and the next batch's start counts one attempt too many for it, harmless.
        // A store that cannot write (a full disk) is waited for: these executions ran, and
        // running them again after a restart would repeat what they did.
        const std::uint64_t ids[] = {lease.id};
        auto pause = 100ms;
        std::optional<execution_lease> next;
        for (int tries = 1;; ++tries) {
            auto done = backend.finish(ids, finished, out, in_memory ? nullptr : &next_batch);
            if (done) {
                if (tries > 1) {
                    log::warn("executor",
                              "recorded the end of executions once the store took writes again",
                              {{"executions", std::to_string(finished.size())},
                               {"tries", std::to_string(tries)}});
                }
                next = std::move(done->next);
                break;
            }
            if (tries == 1) {
                log::error("executor",
                           "cannot record the end of executions; written again once the store "
                           "takes writes (a stop leaves them to run again after the restart)",
                           {{"executions", std::to_string(finished.size())},
                            {"error", done.error().message()}});
            }
            // A failed write applied nothing, so the same write is tried again.
            std::unique_lock lock(pause_mutex_);
            pause_.wait_for(lock, stop, pause, [] { return false; });  // a stop ends it early
            if (stop.stop_requested()) break;
            pause = std::min<std::chrono::milliseconds>(pause * 2, 5s);
        }
        // Synchronous callers get their replies once the outcome is recorded.
        if (send_reply) {
            for (auto& reply : out.replies) send_reply(std::move(reply));
        }
        lease = next && !next->empty() ? std::move(*next) : backend.claim(waiting);
    }
}

}  // namespace ferry::engine
