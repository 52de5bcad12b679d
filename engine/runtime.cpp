#include "ferry/engine/runtime.hpp"

#include <filesystem>
#include <set>

#include "execute/queue_waits.hpp"
#include "ferry/engine/cluster/cluster_worker.hpp"
#include "ferry/store/log.hpp"
#include "ops/retention.hpp"
#include "workers/worker_dispatcher.hpp"

namespace ferry::engine {

boost::system::result<std::unique_ptr<runtime>> runtime::open(transport::context& ctx,
                                                              runtime_settings settings) {
    const std::filesystem::path data(settings.data_dir);
    std::error_code ec;
    std::filesystem::create_directories(data / "db", ec);
    if (ec) return ec;
    auto db = store::store::open((data / "db").string());
    if (!db) return db.error();
    std::unique_ptr<cluster::cluster_node> node;
    if (settings.cluster) {
        auto opened = cluster::cluster_node::open(**db, *settings.cluster);
        if (!opened) return opened.error();
        node = std::move(*opened);
    }
    if (node) {
        if (auto listening = node->receive_replies(ctx, settings.reply_endpoint); !listening) {
            return listening.error();
        }
    }
    std::unique_ptr<runtime> r(
        new runtime(ctx, std::move(settings), std::move(*db), std::move(node)));
    if (r->cluster_ && r->settings_.executor_threads > 0) {
        if (auto opened = r->open_cluster_executors(); !opened) return opened.error();
    }
    return r;
}

boost::system::result<void> runtime::open_cluster_executors() {
    cluster::cluster_worker_settings s;
    s.nats = settings_.cluster->nats;
    s.nats.name = settings_.cluster->node + " executors";
    s.jetstream = settings_.cluster->jetstream;
    s.patience = settings_.cluster->patience;
    s.threads = settings_.executor_threads;
    s.max_in_flight = settings_.max_executions_in_flight;
    s.limits = executors_.limits();
    auto opened = cluster::cluster_worker::open(s, [this] { return processes_.get(); });
    if (!opened) return opened.error();
    cluster_executors_ = std::move(*opened);
    return {};
}

namespace {

executor_settings executor_settings_for(transport::context& ctx, const runtime_settings& s) {
    executor_settings out;
    out.threads = s.executor_threads;
    out.max_in_flight = s.max_executions_in_flight;
    out.limits = s.limits;
    out.limits.files_root = (std::filesystem::path(s.data_dir) / "files").string();
    out.reply_context = &ctx;
    out.reply_endpoint = s.reply_endpoint;
    return out;
}

/// Cluster mode: new executions made here (replays) go the way of posts: into the outbox,
/// synced, then to the cluster. Stored is enough: should the cluster not take them now, the
/// outbox keeper publishes them again until it does.
boost::system::result<void> queue_in_cluster(store::store& db, cluster::cluster_node& node,
                                             std::vector<store::new_execution>& fresh) {
    for (auto& e : fresh) e.outbox = true;
    if (auto stored = db.append(fresh); !stored) return stored.error();
    if (auto synced = db.sync(); !synced) return synced.error();
    if (auto queued = node.replicate(fresh); !queued) {
        log::warn(
            "cluster", "the cluster did not take new executions yet; the outbox has them",
            {{"executions", std::to_string(fresh.size())}, {"error", queued.error().message()}});
    }
    return {};
}

replay_job_settings replay_settings_for(const runtime_settings& s, store::store& db,
                                        cluster::cluster_node* node) {
    replay_job_settings out;
    out.kept = s.limits.kept;
    if (node != nullptr) {
        out.queue_in_cluster = [&db, node](std::vector<store::new_execution>& fresh) {
            return queue_in_cluster(db, *node, fresh);
        };
        out.cluster_backlog = [node] { return node->view().queued; };
    }
    return out;
}

intake_settings intake_settings_for(const runtime_settings& s, cluster::cluster_node* node) {
    intake_settings out;
    out.endpoint = s.intake_endpoint;
    out.idempotency_ttl_ms = s.idempotency_ttl_ms;
    if (node != nullptr) {
        out.replicate = [node](std::span<const store::new_execution> executions) {
            return node->replicate(executions);
        };
        out.recall_claim = [node](const std::string& key) { return node->answer(key); };
    }
    return out;
}

}  // namespace

runtime::runtime(transport::context& ctx, runtime_settings settings,
                 std::unique_ptr<store::store> db, std::unique_ptr<cluster::cluster_node> cluster)
    : settings_(std::move(settings)),
      db_(std::move(db)),
      cluster_(std::move(cluster)),
      processes_(settings_.processes),
      stored_control_(*db_),
      deployments_(cluster_ ? cluster_->control() : stored_control_, processes_),
      startup_warnings_(deployments_.restore(settings_.processes)),
      executors_(*db_, processes_, executor_settings_for(ctx, settings_)),
      replays_(*db_, processes_, executors_, replay_settings_for(settings_, *db_, cluster_.get())),
      intake_(ctx, *db_, intake_settings_for(settings_, cluster_.get()),
              [this](std::uint64_t seq, std::vector<store::new_execution> fresh) {
                  executors_.notify(seq, std::move(fresh));
              }) {
    retention_ = std::make_unique<retention_sweeper>(*db_, settings_.retention_ms);
    queues_ = std::make_unique<queue_waits>(*db_, executors_, processes_);
    executors_.on_delayed(
        [this](const std::vector<store::waiting_entry>& delayed) { queues_->add(delayed); });
    // A process that starts listening on a queue gets the messages parked for it.
    processes_.on_change([this] {
        queues_->release_parked();
        if (cluster_) cluster_->release_parked();
    });
    if (cluster_) {
        cluster_->release_parked_to([this] { return processes_.get(); });
        cluster_->on_report_executors(
            [this] { return cluster_executors_ ? cluster_executors_->stats() : worker_report{}; });
        // Another node deployed, activated, undeployed, paused or resumed: served here too.
        cluster_->on_deployments_changed([this, told = std::set<std::string>()]() mutable {
            for (auto& warning : deployments_.reload()) {
                if (told.insert(warning).second) log::warn("deploy", warning);
            }
        });
    }
    if (!settings_.worker_endpoint.empty()) {
        dispatcher_ = std::make_unique<worker_dispatcher>(
            ctx, executors_, processes_, settings_.worker_endpoint,
            std::chrono::milliseconds(settings_.worker_lease_ms));
    }
}

runtime::~runtime() { stop(); }

boost::system::result<void> runtime::remove_dead_letters(std::span<const std::string> ids) {
    return cluster_ ? cluster_->remove_dead_letters(ids) : db_->remove_dead_letters(ids);
}

void runtime::start() {
    if (cluster_) cluster_->start();  // publishes the outbox again first
    if (cluster_executors_) cluster_executors_->start();
    if (dispatcher_) dispatcher_->start();
    executors_.start();
    queues_->start();
    intake_.start();
    retention_->start();
}

void runtime::stop() {
    retention_->stop();
    queues_->stop();
    intake_.stop();
    replays_.stop();
    if (dispatcher_) dispatcher_->stop();
    executors_.stop();
    if (cluster_executors_) cluster_executors_->stop();
    if (cluster_) cluster_->stop();
}

engine_stats runtime::stats() const {
    engine_stats out;
    out.store = db_->stats();
    out.intake = intake_.stats();
    out.executor = executors_.stats();
    if (dispatcher_) {
        out.remote_workers = dispatcher_->live_workers();
        out.workers = dispatcher_->workers();
    }
    out.retention_sweeps = retention_->sweeps();
    out.backlog = executors_.backlog();
    out.delayed_redeliveries = queues_->delayed();
    if (cluster_) {
        out.cluster = cluster_->view();
        out.delayed_redeliveries = out.cluster->delayed;
        out.outbox = cluster_->outbox_size();
        out.outcomes_followed = cluster_->outcomes_followed();
    }
    std::error_code unknown;
    const auto disk = std::filesystem::space(settings_.data_dir, unknown);
    if (!unknown) {
        out.disk_free_bytes = disk.available;
        out.disk_total_bytes = disk.capacity;
    }
    return out;
}

}  // namespace ferry::engine
