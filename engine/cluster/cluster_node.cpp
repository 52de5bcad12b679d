#include "ferry/engine/cluster/cluster_node.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "clock.hpp"
#include "cluster/cluster_control.hpp"
#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_replies.hpp"
#include "cluster/jetstream_backend.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t republish_batch = 256;
constexpr auto keeper_pause = 30s;    // between looks at the outbox
constexpr auto republish_retry = 2s;  // while the cluster does not take the outbox back
constexpr auto follow_wait = 500ms;   // a fetch of outcomes waits this long for the first

/// A closing upload part carries only its last documents: the cluster needs them all.
boost::system::result<store::new_execution> whole(const store::store& db,
                                                  const store::new_execution& execution) {
    if (execution.arrives == store::new_execution::part::whole) return execution;
    store::new_execution out;
    out.record = execution.record;
    const std::vector<std::string_view> ids(execution.record.document_ids.begin(),
                                            execution.record.document_ids.end());
    auto read = db.read_documents(ids);
    for (auto& doc : read) {
        if (!doc) return doc.error();
        out.documents.push_back(std::move(*doc));
    }
    return out;
}

}  // namespace

cluster_node::cluster_node(store::store& db, cluster_node_settings settings)
    : db_(db), settings_(std::move(settings)), stored_control_(db) {}

boost::system::result<std::unique_ptr<cluster_node>> cluster_node::open(
    store::store& db, cluster_node_settings settings) {
    std::unique_ptr<cluster_node> node(new cluster_node(db, std::move(settings)));
    auto nats = nats::connection::open(node->settings_.nats);
    if (!nats) return nats.error();
    node->nats_ = std::move(*nats);
    auto backend =
        jetstream_backend::open(*node->nats_, node->settings_.jetstream, node->settings_.patience);
    if (!backend) return backend.error();
    node->backend_ = std::move(*backend);
    const auto& js = node->settings_.jetstream;
    auto outcomes =
        node->nats_->pull({.stream = js.records_stream,
                           .durable = "ferry-history-" + subject_token(node->settings_.node),
                           .subject = js.subject_prefix + ".outcome.>"});
    if (!outcomes) return outcomes.error();
    node->outcomes_ = std::move(*outcomes);
    auto control = cluster_control::open(*node->nats_, js, node->stored_control_);
    if (!control) return control.error();
    node->control_ = std::move(*control);
    return node;
}

control_entries& cluster_node::control() { return *control_; }

cluster_node::~cluster_node() {
    stop();
    replies_.reset();  // drained: its thread is done with the sender
    reply_sender_.reset();
    control_.reset();
    backend_.reset();
    nats_.reset();
}

boost::system::result<void> cluster_node::replicate(
    std::span<const store::new_execution> executions) {
    std::vector<store::new_execution> complete;
    complete.reserve(executions.size());
    for (const auto& e : executions) {
        auto w = whole(db_, e);
        if (!w) return w.error();
        complete.push_back(std::move(*w));
    }
    auto queued = backend_->enqueue(complete);
    outbox_size_.fetch_add(executions.size(), std::memory_order_relaxed);
    // Not acknowledged (the caller gets a 503), yet in the outbox and perhaps in the cluster:
    // the keeper publishes the outbox again until the cluster takes it.
    if (!queued) republish_.store(true);
    return queued;
}

boost::system::result<void> cluster_node::receive_replies(transport::context& ctx,
                                                          const std::string& reply_endpoint) {
    auto subscribed = nats_->subscribe(
        reply_subject(settings_.jetstream.subject_prefix, settings_.node),
        [this, &ctx, reply_endpoint](std::string_view data) {
            auto frames = decode_frames(data);
            if (!frames) return;
            // Created on the subscription's thread, the only one that uses it.
            if (!reply_sender_) {
                reply_sender_ = std::make_unique<transport::reply_sender>(ctx, reply_endpoint);
            }
            (void)reply_sender_->send(std::move(*frames));
        });
    if (!subscribed) return subscribed.error();
    replies_ = std::move(*subscribed);
    return {};
}

void cluster_node::start() {
    keeper_.start("ferry-outbox", [this](const std::stop_token& stop) { keep_outbox(stop); });
    follower_.start("ferry-history",
                    [this](const std::stop_token& stop) { follow_outcomes(stop); });
    control_follower_.start("ferry-control", [this](const std::stop_token& stop) {
        control_->follow(stop, [this] {
            if (deployments_changed_) deployments_changed_();
        });
    });
}

void cluster_node::stop() {
    keeper_.stop();
    follower_.stop();
    control_follower_.stop();
}

void cluster_node::follow_outcomes(const std::stop_token& stop) {
    while (!stop.stop_requested()) {
        auto fetched = outcomes_->fetch(256, follow_wait);
        if (!fetched) {
            std::this_thread::sleep_for(follow_wait);
            continue;
        }
        if (fetched->empty()) continue;
        std::vector<store::execution_record> records;
        store::encoded_outcomes documents;
        std::vector<store::dead_letter> dead;
        for (auto& message : *fetched) {
            auto outcome = decode_outcome(message.data());
            auto rec = outcome ? store::decode_execution(outcome->record)
                               : boost::system::result<store::execution_record>(outcome.error());
            if (!rec) {
                log::error("cluster", "an unreadable outcome in the record stream was skipped",
                           {{"subject", message.subject()}});
                continue;
            }
            rec->pending_seq = 0;  // the cluster's queue, not this store's
            records.push_back(std::move(*rec));
            for (auto& doc : outcome->documents) documents.documents.push_back(std::move(doc));
            for (auto& d : outcome->dead) dead.push_back(std::move(d));
        }
        // Written and synced before acknowledged: an outcome is in the history once, even if
        // this node dies meanwhile (it is delivered again and written again, the same).
        auto written = db_.finish_executions(records, {}, {}, dead, nullptr, &documents);
        if (written) written = db_.sync();
        if (!written) {
            log::warn("cluster", "cannot write the cluster's outcomes into the history; again soon",
                      {{"error", written.error().message()}});
            for (auto& message : *fetched) (void)message.nak(follow_wait);
            continue;
        }
        outcomes_followed_.fetch_add(records.size(), std::memory_order_relaxed);
        for (auto& message : *fetched) (void)message.ack();
    }
}

std::size_t cluster_node::outbox_size() const {
    return outbox_size_.load(std::memory_order_relaxed);
}

bool cluster_node::republish_outbox() {
    auto entries = db_.list_outbox();
    if (!entries) {
        log::error("cluster", "cannot read the outbox", {{"error", entries.error().message()}});
        return false;
    }
    outbox_size_.store(entries->size(), std::memory_order_relaxed);
    std::vector<store::new_execution> batch;
    std::size_t published = 0;
    const auto flush = [&] {
        if (batch.empty()) return true;
        if (auto queued = backend_->enqueue(batch, true); !queued) {
            log::warn("cluster", "the cluster did not take the outbox back yet; trying again",
                      {{"error", queued.error().message()}});
            return false;
        }
        published += batch.size();
        batch.clear();
        return true;
    };
    for (const auto& entry : *entries) {
        auto rec = db_.read_execution(entry.execution_id);
        if (!rec) {
            log::error("cluster", "an execution of the outbox is unreadable; left there",
                       {{"execution_id", entry.execution_id}, {"error", rec.error().message()}});
            continue;
        }
        store::new_execution stored;
        stored.record = std::move(*rec);
        stored.arrives = store::new_execution::part::closing;  // its documents are in the store
        auto complete = whole(db_, stored);
        if (!complete) {
            log::error(
                "cluster", "a document of an outbox execution is unreadable; left there",
                {{"execution_id", entry.execution_id}, {"error", complete.error().message()}});
            continue;
        }
        batch.push_back(std::move(*complete));
        if (batch.size() >= republish_batch && !flush()) return false;
    }
    if (!flush()) return false;
    if (published > 0) {
        log::info("cluster", "the outbox was published again",
                  {{"executions", std::to_string(published)}});
    }
    return true;
}

void cluster_node::keep_outbox(const std::stop_token& stop) {
    std::mutex mutex;
    std::condition_variable_any wakeup;
    const auto pause = [&](std::chrono::milliseconds how_long) {
        std::unique_lock lock(mutex);
        wakeup.wait_for(lock, stop, how_long, [] { return false; });
    };
    // What this node acknowledged before it stopped (or crashed) may be missing from the
    // cluster (an unflushed tail lost with its servers): published again, first.
    while (!stop.stop_requested() && !republish_outbox()) pause(republish_retry);
    auto next_sweep = std::chrono::steady_clock::now() + keeper_pause;
    while (!stop.stop_requested()) {
        pause(republish_retry);
        if (stop.stop_requested()) break;
        if (republish_.exchange(false) && !republish_outbox()) republish_.store(true);
        if (std::chrono::steady_clock::now() < next_sweep) continue;
        next_sweep = std::chrono::steady_clock::now() + keeper_pause;
        auto entries = db_.list_outbox();
        if (!entries) continue;
        const auto oldest_kept = now_ms() - settings_.outbox_keep.count();
        std::vector<std::string> done;
        for (const auto& entry : *entries) {
            if (entry.stored_ms < oldest_kept) done.push_back(entry.execution_id);
        }
        if (done.empty()) continue;
        if (auto dropped = db_.drop_from_outbox(done); !dropped) {
            log::warn("cluster", "cannot drop old entries from the outbox",
                      {{"error", dropped.error().message()}});
            continue;
        }
        outbox_size_.store(entries->size() - done.size(), std::memory_order_relaxed);
    }
}

}  // namespace ferry::engine::cluster
