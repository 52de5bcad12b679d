#include "ferry/engine/cluster/cluster_worker.hpp"

#include <algorithm>

#include "clock.hpp"
#include "cluster/cluster_replies.hpp"
#include "cluster/jetstream_backend.hpp"
#include "execute/executor_host.hpp"
#include "execute/executor_loop.hpp"
#include "execute/sequence_blocks.hpp"
#include "ferry/engine/execute/executor.hpp"
#include "run/partner_connections.hpp"

namespace ferry::engine::cluster {

/// The worker as its executor loops see it.
class cluster_worker::loop_host final : public executor_host {
public:
    explicit loop_host(cluster_worker& worker) : worker_(worker) {
        settings_.threads = worker.settings_.threads;
        settings_.max_in_flight = worker.settings_.max_in_flight;
        settings_.stop_grace = worker.settings_.stop_grace;
        settings_.claim_batch = worker.settings_.claim_batch;
        settings_.limits = worker.settings_.limits;
    }
    execution_backend& backend() override { return *worker_.backend_; }
    const executor_settings& settings() const override { return settings_; }
    partner_limits& partners() override { return partners_; }
    std::shared_ptr<const lease_context> context_for(const execution_lease&) override {
        auto context = std::make_shared<lease_context>();
        context->host = std::make_shared<sequences_host>(worker_.processes_(), *worker_.sequences_);
        context->limits = settings_.limits;
        return context;
    }
    void count_finished(std::span<store::execution_record> finished) override {
        count_and_log_finished(finished, worker_.succeeded_, worker_.failed_);
    }
    // Synchronous callers wait on an ingress node: each reply goes to that node's subject.
    std::unique_ptr<reply_sink> open_replies() override {
        return std::make_unique<cluster_replies>(
            *worker_.nats_, worker_.settings_.jetstream.subject_prefix, *worker_.backend_);
    }

private:
    cluster_worker& worker_;
    executor_settings settings_;
    partner_limits partners_;
};

cluster_worker::cluster_worker(cluster_worker_settings settings, processes_source processes)
    : settings_(std::move(settings)), processes_(std::move(processes)) {}

boost::system::result<std::unique_ptr<cluster_worker>> cluster_worker::open(
    cluster_worker_settings settings, processes_source processes) {
    std::unique_ptr<cluster_worker> worker(
        new cluster_worker(std::move(settings), std::move(processes)));
    auto nats = nats::connection::open(worker->settings_.nats);
    if (!nats) return nats.error();
    worker->nats_ = std::move(*nats);
    auto backend = jetstream_backend::open(*worker->nats_, worker->settings_.jetstream,
                                           worker->settings_.patience);
    if (!backend) return backend.error();
    worker->backend_ = std::move(*backend);
    worker->sequences_ = std::make_unique<sequence_blocks>(
        [backend = worker->backend_.get()](std::string_view name, std::uint64_t count) {
            return backend->reserve_sequence(name, count);
        });
    if (!worker->settings_.member_name.empty()) {
        auto presence = cluster_presence::open(*worker->nats_, worker->settings_.jetstream,
                                               [w = worker.get(), started = now_ms()] {
                                                   member_report r;
                                                   r.name = w->settings_.member_name;
                                                   r.kind = "worker";
                                                   r.host = host_name();
                                                   r.started_ms = started;
                                                   r.executors = w->stats();
                                                   return r;
                                               });
        if (!presence) return presence.error();
        worker->presence_ = std::move(*presence);
    }
    return worker;
}

cluster_worker::~cluster_worker() {
    stop();
    presence_.reset();
    // The backend gives back what it still holds, before its connection goes.
    backend_.reset();
    nats_.reset();
}

void cluster_worker::start() {
    if (!loops_.empty()) return;
    host_ = std::make_unique<loop_host>(*this);
    const auto threads = std::max<std::size_t>(1, settings_.threads);
    const auto per_loop =
        (std::max<std::size_t>(1, settings_.max_in_flight) + threads - 1) / threads;
    for (std::size_t slot = 0; slot < threads; ++slot) {
        loops_.push_back(
            std::make_unique<executor_loop>(*host_, static_cast<std::uint32_t>(slot), per_loop));
    }
    work_signal_ = backend_->on_new_work([this] {
        for (auto& loop : loops_) loop->signal();
    });
    executors_.start(
        threads, "ferry-worker",
        [this](std::size_t slot, const std::stop_token& stop) { loops_[slot]->run(stop); });
    if (presence_) presence_->start();
}

void cluster_worker::stop() {
    if (loops_.empty()) return;
    if (presence_) presence_->stop();
    executors_.request_stop();  // the loops let what is in flight end, then return
    backend_->stop();
    executors_.stop();
    backend_->stop_signalling(work_signal_);
    loops_.clear();
    host_.reset();
}

worker_report cluster_worker::stats() const {
    worker_report out;
    out.threads = loops_.size();
    out.executors.succeeded = succeeded_.load(std::memory_order_relaxed);
    out.executors.failed = failed_.load(std::memory_order_relaxed);
    for (const auto& loop : loops_) loop->add_figures(out.executors);
    if (host_) out.executors.partner_calls_in_flight = host_->partners().in_flight();
    return out;
}

}  // namespace ferry::engine::cluster
