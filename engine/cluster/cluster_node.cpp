#include "ferry/engine/cluster/cluster_node.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "clock.hpp"
#include "cluster/cluster_control.hpp"
#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_replies.hpp"
#include "cluster/delayed_runs.hpp"
#include "cluster/jetstream_backend.hpp"
#include "cluster/parked_messages.hpp"
#include "ferry/engine/intake/idempotency.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t republish_batch = 256;
constexpr auto keeper_pause = 30s;    // between looks at the outbox
constexpr auto republish_retry = 2s;  // while the cluster does not take the outbox back
constexpr auto follow_wait = 500ms;   // a fetch of outcomes waits this long for the first
constexpr auto release_every = 2s;    // parked messages are looked at this often

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
    node->parked_ = std::make_unique<parked_messages>(*node->nats_, js);
    auto delayed = delayed_runs::open(*node->nats_, js);
    if (!delayed) return delayed.error();
    node->delayed_ = std::move(*delayed);
    node->started_ms_ = now_ms();
    auto presence = cluster_presence::open(*node->nats_, js, [n = node.get()] {
        member_report r;
        r.name = n->settings_.node;
        r.kind = "node";
        r.host = host_name();
        r.started_ms = n->started_ms_;
        if (n->executors_report_) r.executors = n->executors_report_();
        r.outbox = n->outbox_size();
        r.outcomes_followed = n->outcomes_followed();
        return r;
    });
    if (!presence) return presence.error();
    node->presence_ = std::move(*presence);
    return node;
}

boost::system::result<std::vector<member_view>> cluster_node::members() const {
    return presence_->members();
}

cluster_view cluster_node::view() const {
    std::lock_guard lock(view_mutex_);
    return view_;
}

control_entries& cluster_node::control() { return *control_; }

void cluster_node::release_parked() {
    {
        std::lock_guard lock(release_mutex_);
        release_now_ = true;
    }
    release_wakeup_.notify_all();
}

boost::system::result<std::map<std::string, std::uint64_t>> cluster_node::parked() const {
    return parked_->counts();
}

boost::system::result<void> cluster_node::remove_dead_letters(std::span<const std::string> ids) {
    const auto& js = settings_.jetstream;
    std::vector<nats::outgoing_message> removals;
    for (const auto& id : ids) {
        removals.push_back({.subject = js.subject_prefix + ".outcome." + subject_token(id) +
                                       std::string(letter_removed_suffix),
                            .data = id,
                            .message_id = "letter-removed:" + id,
                            .headers = {}});
    }
    auto acks = nats_->publish_batch(removals);
    if (!acks) return acks.error();
    for (const auto& ack : *acks) {
        if (!ack) return ack.error();
    }
    return db_.remove_dead_letters(ids);
}

boost::system::result<std::vector<store::dead_letter>> cluster_node::dead_letters_not_removed(
    std::vector<store::dead_letter> letters) {
    const auto& js = settings_.jetstream;
    std::vector<store::dead_letter> out;
    for (auto& letter : letters) {
        auto removal =
            nats_->last_message(js.records_stream, js.subject_prefix + ".outcome." +
                                                       subject_token(letter.execution_id) +
                                                       std::string(letter_removed_suffix));
        if (!removal) return removal.error();
        if (!*removal) out.push_back(std::move(letter));
    }
    return out;
}

void cluster_node::keep_releasing_parked(const std::stop_token& stop) {
    while (!stop.stop_requested()) {
        {
            std::unique_lock lock(release_mutex_);
            release_wakeup_.wait_for(lock, stop, release_every, [this] { return release_now_; });
            release_now_ = false;
        }
        if (stop.stop_requested() || !listening_) break;
        const auto processes = listening_();
        if (!processes) continue;
        if (auto released = parked_->release(*processes); !released) {
            log::warn("queues", "cannot release parked messages in the cluster; again soon",
                      {{"error", released.error().message()}});
        }
    }
}

cluster_node::~cluster_node() {
    stop();
    replies_.reset();  // drained: its thread is done with the sender
    reply_sender_.reset();
    presence_.reset();
    delayed_.reset();
    control_.reset();
    backend_.reset();
    nats_.reset();
}

boost::system::result<cluster_node::replicated> cluster_node::replicate(
    std::span<const store::new_execution> executions) {
    std::vector<store::new_execution> complete;
    complete.reserve(executions.size());
    for (const auto& e : executions) {
        auto w = whole(db_, e);
        if (!w) return w.error();
        complete.push_back(std::move(*w));
    }
    outbox_size_.fetch_add(executions.size(), std::memory_order_relaxed);
    auto published = claim_and_publish(complete, false);
    // Not acknowledged (the caller gets a 503), yet in the outbox and perhaps in the cluster:
    // the keeper publishes the outbox again until the cluster takes it.
    if (!published) republish_.store(true);
    return published;
}

boost::system::result<std::optional<std::string>> cluster_node::answer(
    const std::string& key) const {
    return backend_->answer(key);
}

boost::system::result<cluster_node::replicated> cluster_node::claim_and_publish(
    const std::vector<store::new_execution>& executions, bool again) {
    replicated verdicts(executions.size());
    // Idempotency keys first, cluster-wide: an execution whose key another node claimed first
    // is cancelled here, never published (its caller gets that claim's receipt).
    std::vector<std::pair<std::string, std::string>> claims;
    std::vector<std::size_t> claimant;  // which execution made each claim
    for (std::size_t i = 0; i < executions.size(); ++i) {
        const auto& e = executions[i];
        if (e.outbox_claim.empty()) continue;
        for (const auto& [key, value] : e.answers) {
            if (key != e.outbox_claim) continue;
            claims.emplace_back(key, value);
            claimant.push_back(i);
        }
    }
    if (!claims.empty()) {
        const auto now = now_ms();
        auto claimed = backend_->claim_answers(claims, [now](std::string_view earlier) {
            const auto record = decode_idempotency_record(earlier);
            return record && record->expires_ms != 0 && record->expires_ms <= now;
        });
        if (!claimed) return claimed.error();
        for (std::size_t c = 0; c < claims.size(); ++c) {
            if ((*claimed)[c]) verdicts[claimant[c]] = std::move((*claimed)[c]);
        }
        if (auto cancelled = cancel_superseded(executions, verdicts); !cancelled) {
            return cancelled.error();
        }
    }
    std::vector<store::new_execution> publish;
    publish.reserve(executions.size());
    for (std::size_t i = 0; i < executions.size(); ++i) {
        if (!verdicts[i]) publish.push_back(executions[i]);
    }
    if (auto queued = backend_->enqueue(publish, again); !queued) return queued.error();
    return verdicts;
}

boost::system::result<void> cluster_node::cancel_superseded(
    const std::vector<store::new_execution>& executions, const replicated& verdicts) {
    std::vector<store::execution_record> cancelled;
    std::vector<std::string> ids;
    std::vector<std::pair<std::string, std::string>> claims;
    const auto now = now_ms();
    for (std::size_t i = 0; i < executions.size(); ++i) {
        if (!verdicts[i]) continue;
        auto record = executions[i].record;
        const auto first = decode_idempotency_record(*verdicts[i]);
        record.state = store::execution_state::cancelled;
        record.finished_ms = now;
        record.pending_seq = 0;
        record.error = "not run: its Idempotency-Key was claimed first on another node" +
                       (first ? " by execution " + first->original.execution_id : std::string());
        cancelled.push_back(std::move(record));
        ids.push_back(executions[i].record.id);
        // Repeats on this node answer with the claim that stands.
        claims.emplace_back(executions[i].outbox_claim, *verdicts[i]);
    }
    if (cancelled.empty()) return {};
    log::info("cluster",
              "executions whose idempotency key another node claimed first were cancelled",
              {{"executions", std::to_string(cancelled.size())}});
    if (auto written = db_.put_answers(claims); !written) return written.error();
    if (auto written = db_.finish_executions(cancelled); !written) return written.error();
    if (auto dropped = db_.drop_from_outbox(ids); !dropped) return dropped.error();
    return db_.sync();
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
    presence_->start();
    viewer_.start("ferry-view", [this](const std::stop_token& stop) {
        std::mutex mutex;
        std::condition_variable_any wakeup;
        while (!stop.stop_requested()) {
            cluster_view fresh;
            auto members = presence_->members();
            const auto& js = settings_.jetstream;
            auto work = nats_->consumer(js.runs_stream, js.consumer);
            auto delayed = delayed_->waiting();
            if (members && work && delayed) {
                fresh.members = std::move(*members);
                fresh.queued = work->pending;
                fresh.leased = work->ack_pending;
                fresh.delayed = *delayed;
                fresh.read = true;
            }
            {
                std::lock_guard lock(view_mutex_);
                view_ = std::move(fresh);
            }
            std::unique_lock lock(mutex);
            wakeup.wait_for(lock, stop, cluster_presence::report_every, [] { return false; });
        }
    });
    delayed_mover_.start("ferry-delayed", [this](const std::stop_token& stop) {
        while (!stop.stop_requested()) {
            if (auto moved = delayed_->move_due(follow_wait); !moved) {
                log::warn("queues", "cannot queue due redeliveries in the cluster; again soon",
                          {{"error", moved.error().message()}});
                std::this_thread::sleep_for(follow_wait);
            }
        }
    });
    releaser_.start("ferry-parked",
                    [this](const std::stop_token& stop) { keep_releasing_parked(stop); });
    control_follower_.start("ferry-control", [this](const std::stop_token& stop) {
        control_->follow(stop, [this] {
            if (deployments_changed_) deployments_changed_();
        });
    });
}

void cluster_node::stop() {
    releaser_.stop();
    delayed_mover_.stop();
    viewer_.stop();
    if (presence_) presence_->stop();
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
        std::vector<std::string> removed;  // dead letters resent or cleared (after their outcome)
        for (auto& message : *fetched) {
            if (message.subject().ends_with(letter_removed_suffix)) {
                removed.emplace_back(message.data());
                continue;
            }
            if (message.subject().ends_with(request_documents_suffix)) {
                auto request = decode_documents(message.data());
                if (!request) {
                    log::error("cluster", "unreadable request documents in the record stream",
                               {{"subject", message.subject()}});
                    continue;
                }
                for (auto& doc : *request) documents.documents.push_back(std::move(doc));
                continue;
            }
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
        // An outcome delivered again (its acknowledgement lost) after its dead letter was
        // resent or cleared must not bring the letter back.
        auto still_dead = dead_letters_not_removed(dead);
        // Written and synced before acknowledged: an outcome is in the history once, even if
        // this node dies meanwhile (it is delivered again and written again, the same).
        auto written =
            still_dead ? db_.finish_executions(records, {}, {}, *still_dead, nullptr, &documents)
                       : boost::system::result<void>(still_dead.error());
        if (written && !removed.empty()) written = db_.remove_dead_letters(removed);
        if (written) written = db_.sync();
        if (!written) {
            log::warn("cluster", "cannot write the cluster's outcomes into the history; again soon",
                      {{"error", written.error().message()}});
            for (auto& message : *fetched) (void)message.nak(follow_wait);
            continue;
        }
        outcomes_followed_.fetch_add(records.size(), std::memory_order_relaxed);
        // Written already: a lost acknowledgement only brings the same outcome again.
        for (auto& message : *fetched) (void)message.ack_unconfirmed();
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
        if (auto queued = claim_and_publish(batch, true); !queued) {
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
        if (!entry.claim.empty()) {
            // Its idempotency key is claimed in the cluster before it is published again.
            if (auto claim = db_.read_answer(entry.claim)) {
                stored.outbox_claim = entry.claim;
                stored.answers.emplace_back(entry.claim, std::move(*claim));
            }
        }
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
        // A cluster that lost work (its unflushed tail gone in a power failure, its store
        // restored or wiped) while this node ran: what the outbox holds goes again.
        if (backend_->work_was_lost()) {
            log::warn("cluster", "the work stream lost messages; the outbox is published again");
            republish_.store(true);
        }
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
