#include "ferry/engine/execute/executor.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "clock.hpp"
#include "execute/executor_host.hpp"
#include "execute/executor_loop.hpp"
#include "execute/pending_queue.hpp"
#include "execute/sequence_blocks.hpp"
#include "ferry/store/log.hpp"
#include "ferry/transport/reply_channel.hpp"
#include "run/partner_connections.hpp"

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
                // A record that could not be read never started.
                {"duration_ms",
                 std::to_string(rec.started_ms == 0 ? 0 : rec.finished_ms - rec.started_ms)},
                {"error", rec.error}});
}

// Replies to the ingress's reply receiver, over a ZeroMQ socket of the loop's thread.
class ingress_replies final : public reply_sink {
public:
    ingress_replies(const executor_settings& settings, execution_backend& backend)
        : sender_(*settings.reply_context, settings.reply_endpoint), backend_(backend) {}
    void send_early(transport::frames reply, kept_answers pages) override {
        backend_.keep_answers(pages);
        send_now(std::move(reply));
    }
    void send_recorded(transport::frames reply) override { send_now(std::move(reply)); }
    void send_now(transport::frames reply) override {
        if (!sender_.send(std::move(reply))) {
            log::warn("executor", "a synchronous reply could not be sent");
        }
    }

private:
    transport::reply_sender sender_;
    execution_backend& backend_;
};

}  // namespace

/// The pool as its executor loops see it.
class executor_pool::loop_host final : public executor_host {
public:
    explicit loop_host(executor_pool& pool) : pool_(pool) {}
    execution_backend& backend() override { return *pool_.queue_; }
    const executor_settings& settings() const override { return pool_.settings_; }
    partner_limits& partners() override { return *pool_.partners_; }
    std::shared_ptr<const lease_context> context_for(const execution_lease&) override {
        auto context = std::make_shared<lease_context>();
        context->host = std::make_shared<sequences_host>(pool_.processes_.get(), *pool_.sequences_);
        context->limits = pool_.settings_.limits;
        return context;
    }
    void count_finished(std::span<store::execution_record> finished) override {
        pool_.count_finished(finished);
    }
    std::unique_ptr<reply_sink> open_replies() override {
        if (!pool_.settings_.reply_context) return nullptr;
        return std::make_unique<ingress_replies>(pool_.settings_, *pool_.queue_);
    }

private:
    executor_pool& pool_;
};

executor_pool::executor_pool(store::store& db, const registry_holder& processes,
                             executor_settings settings)
    : processes_(processes),
      settings_(std::move(settings)),
      queue_(std::make_unique<pending_queue>(
          db, pending_queue::settings{settings_.max_attempts, settings_.handoff_limit})),
      partners_(std::make_unique<partner_limits>()),
      sequences_(
          std::make_unique<sequence_blocks>([this](std::string_view name, std::uint64_t count) {
              return queue_->reserve_sequence(name, count);
          })),
      host_(std::make_unique<loop_host>(*this)) {}

executor_pool::~executor_pool() {
    stop();
    if (work_signal_ != 0) queue_->stop_signalling(work_signal_);
}

void executor_pool::start() {
    queue_->start();
    if (loops_.empty()) {
        const auto threads = std::max<std::size_t>(1, settings_.threads);
        const auto per_loop = (settings_.max_in_flight + threads - 1) / threads;
        for (std::size_t slot = 0; slot < settings_.threads; ++slot) {
            loops_.push_back(std::make_unique<executor_loop>(
                *host_, static_cast<std::uint32_t>(slot), per_loop));
        }
        work_signal_ = queue_->on_new_work([this] {
            for (auto& loop : loops_) loop->signal();
        });
    }
    threads_.start(settings_.threads, "ferry-executor",
                   [this](std::size_t slot, const std::stop_token& stop) {
                       // Acknowledging posts comes first; executions catch up from the durable
                       // queue.
                       if (settings_.nice != 0)
                           setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), settings_.nice);
                       loops_[slot]->run(stop);
                   });
}

void executor_pool::stop() {
    threads_.request_stop();  // the loops let what is in flight end, then return
    queue_->stop();           // ends claims that wait for work (the dispatcher's)
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
    executor_stats out;
    out.succeeded = succeeded_.load();
    out.failed = failed_.load();
    out.running = queue_->running();
    for (const auto& loop : loops_) loop->add_figures(out);
    out.partner_calls_in_flight = partners_->in_flight();
    return out;
}

std::uint64_t executor_pool::backlog() const { return queue_->backlog(); }

void executor_pool::on_delayed(std::function<void(const std::vector<store::waiting_entry>&)> sink) {
    queue_->on_delayed(std::move(sink));
}

execution_backend& executor_pool::backend() { return *queue_; }

boost::system::result<std::uint64_t> executor_pool::next_sequence(std::string_view name) {
    return sequences_->next(name);
}

void executor_pool::count_finished(std::span<store::execution_record> finished) {
    count_and_log_finished(finished, succeeded_, failed_);
}

void count_and_log_finished(std::span<store::execution_record> finished,
                            std::atomic<std::uint64_t>& succeeded,
                            std::atomic<std::uint64_t>& failed) {
    for (auto& rec : finished) {
        if (rec.finished_ms == 0) rec.finished_ms = now_ms();
        const bool ok = rec.state == store::execution_state::succeeded;
        (ok ? succeeded : failed).fetch_add(1, std::memory_order_relaxed);
        log_finished(rec, ok);
    }
}

}  // namespace ferry::engine
