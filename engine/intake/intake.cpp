#include "ferry/engine/intake/intake.hpp"

#include <pthread.h>

#include <chrono>
#include <optional>
#include <unordered_map>

#include "clock.hpp"
#include "ferry/engine/intake/idempotency.hpp"
#include "ferry/engine/intake/submission.hpp"
#include "ferry/store/error.hpp"
#include "ferry/transport/batch_server.hpp"
#include "ferry/transport/error.hpp"
#include "id_generator.hpp"

namespace ferry::engine {
using part = store::new_execution::part;

/// One group commit: the requests taken together, their replies and the executions they start.
struct pending_batch {
    std::vector<transport::envelope> requests;
    std::vector<intake_reply> replies;             // sent once the batch is durable
    std::vector<store::new_execution> executions;  // handed to the executors once durable
};

namespace {

using claims = std::unordered_map<std::string, idempotency_record>;

// The claim in force on an idempotency key: one made earlier in this batch, or one in the
// store that has not expired. An unreadable claim is an error, never "no claim": guessing
// could run a process twice.
boost::system::result<std::optional<idempotency_record>> claim_in_force(const store::store& db,
                                                                        const claims& in_batch,
                                                                        const std::string& key,
                                                                        std::int64_t now) {
    if (const auto it = in_batch.find(key); it != in_batch.end()) return it->second;
    const auto bytes = db.read_answer(key);
    if (!bytes) {
        if (bytes.error() == store::errc::not_found) return std::nullopt;
        return bytes.error();
    }
    auto record = decode_idempotency_record(*bytes);
    if (!record) return store::errc::corrupt_record;
    if (record->expires_ms != 0 && record->expires_ms <= now) return std::nullopt;
    return std::optional<idempotency_record>(std::move(*record));
}

/// A claim made on another node of the cluster, unless it has expired.
boost::system::result<std::optional<idempotency_record>> recall_remote_claim(
    const std::function<boost::system::result<std::optional<std::string>>(const std::string&)>&
        recall,
    const std::string& key, std::int64_t now) {
    auto bytes = recall(key);
    if (!bytes) return bytes.error();
    if (!*bytes) return std::nullopt;
    auto record = decode_idempotency_record(**bytes);
    if (!record) return store::errc::corrupt_record;
    if (record->expires_ms != 0 && record->expires_ms <= now) return std::nullopt;
    return std::optional<idempotency_record>(std::move(*record));
}

/// Cluster mode: the replies of executions whose Idempotency-Key another node claimed first
/// (cancelled, not published) become that claim's receipt, or a conflict when that claim was
/// made by a different request.
void answer_superseded(std::span<const store::new_execution> queued,
                       const intake_settings::replicated& verdicts,
                       std::vector<intake_reply>& replies) {
    for (std::size_t j = 0; j < queued.size() && j < verdicts.size(); ++j) {
        if (!verdicts[j]) continue;
        const auto& execution = queued[j];
        auto theirs = decode_idempotency_record(*verdicts[j]);
        std::optional<idempotency_record> ours;
        for (const auto& [key, value] : execution.answers) {
            if (key != execution.outbox_claim) continue;
            if (auto decoded = decode_idempotency_record(value)) ours = std::move(*decoded);
        }
        for (auto& reply : replies) {
            if (reply.accepted.execution_id != execution.record.id) continue;
            if (!theirs || !ours || theirs->fingerprint != ours->fingerprint) {
                reply = intake_reply{};
                reply.status = intake_status::conflict;
                reply.message = "the idempotency key was used by a different request";
                continue;
            }
            reply.accepted = theirs->original;
            reply.repeat = true;
        }
    }
}

}  // namespace

struct intake_service::pipeline {
    pipeline(transport::context& ctx, const std::string& endpoint) : server(ctx, endpoint) {}
    transport::batch_server server;
    id_generator ids;
};

intake_service::intake_service(transport::context& ctx, store::store& db, intake_settings settings,
                               committed_handler on_committed)
    : ctx_(ctx), db_(db), settings_(std::move(settings)), on_committed_(std::move(on_committed)) {}

intake_service::~intake_service() { stop(); }

void intake_service::start() {
    // Bind before returning so that clients connecting right after start() find the endpoint.
    pipeline_ = std::make_unique<pipeline>(ctx_, settings_.endpoint);
    thread_.start("ferry-intake", [this](std::stop_token stop) { run(std::move(stop)); });
}

void intake_service::stop() {
    thread_.stop();
    pipeline_.reset();
}

intake_stats intake_service::stats() const {
    return {batches_.load(),        requests_.load(),    largest_batch_.load(),
            failed_batches_.load(), batch_sizes_.read(), refusing_writes_.load()};
}

void intake_service::run(std::stop_token stop) {
    auto& p = *pipeline_;
    const auto refuse = [&](const transport::envelope& request, intake_status status,
                            std::string message) {
        intake_reply refused;
        refused.status = status;
        refused.message = std::move(message);
        (void)p.server.reply(request, encode_reply(refused));
    };
    const auto reply_all = [&](pending_batch& batch, const boost::system::error_code& failed) {
        for (std::size_t i = 0; i < batch.requests.size(); ++i) {
            if (failed) {
                refuse(batch.requests[i], intake_status::storage_failure, failed.message());
            } else {
                (void)p.server.reply(batch.requests[i], encode_reply(batch.replies[i]));
            }
        }
    };
    const auto count = [&](const pending_batch& batch) {
        // Counters before the receipts: a submitter that got its receipt must see itself counted.
        batches_.fetch_add(1, std::memory_order_relaxed);
        requests_.fetch_add(batch.requests.size(), std::memory_order_relaxed);
        batch_sizes_.observe(static_cast<double>(batch.requests.size()));
        if (batch.requests.size() > largest_batch_.load(std::memory_order_relaxed)) {
            largest_batch_.store(batch.requests.size(), std::memory_order_relaxed);
        }
    };

    while (!stop.stop_requested()) {
        auto requests = p.server.receive_batch(settings_.max_batch, std::chrono::milliseconds(50));
        if (!requests) {
            if (requests.error() == transport::errc::shutting_down) break;
            continue;  // logged by the transport; keep serving
        }
        if (requests->empty()) continue;

        pending_batch batch;
        claims claimed;
        const auto now = now_ms();
        for (auto& request : *requests) {
            auto decoded = decode_submission(request.body);
            if (!decoded) {
                refuse(request, intake_status::bad_request, "malformed submission");
                continue;
            }
            // Only a whole submission or an upload's closing part claims its key.
            const auto key = decoded->idempotency_key;
            const auto fingerprint = decoded->fingerprint;
            const bool claims_key = !key.empty() && (decoded->arrives == part::whole ||
                                                     decoded->arrives == part::closing);
            if (claims_key) {
                auto earlier = claim_in_force(db_, claimed, key, now);
                if (!earlier) {
                    refuse(request, intake_status::storage_failure,
                           "the idempotency key could not be read: " + earlier.error().message());
                    continue;
                }
                if (!*earlier && settings_.recall_claim) {
                    // Perhaps claimed on another node of the cluster.
                    auto remote = recall_remote_claim(settings_.recall_claim, key, now);
                    if (!remote) {
                        refuse(request, intake_status::cluster_unavailable,
                               "the cluster did not say whether the idempotency key is claimed: " +
                                   remote.error().message());
                        continue;
                    }
                    if (*remote) claimed.emplace(key, **remote);
                    earlier = std::move(*remote);
                }
                if (*earlier && (*earlier)->fingerprint != fingerprint) {
                    refuse(request, intake_status::conflict,
                           "the idempotency key was used by a different request");
                    continue;
                }
                if (*earlier) {
                    // A repeat: the first post's receipt, once this batch is durable (the
                    // first post is in it or in an earlier one). A repeated upload's staged
                    // parts go.
                    if (decoded->arrives == part::closing) {
                        decoded->arrives = part::aborted;
                        auto id = decoded->upload_id;
                        batch.executions.push_back(new_execution_of(std::move(*decoded), id, now));
                    }
                    intake_reply repeat;
                    repeat.accepted = (*earlier)->original;
                    repeat.repeat = true;
                    batch.replies.push_back(std::move(repeat));
                    batch.requests.push_back(std::move(request));
                    continue;
                }
            }
            // Later parts of a streamed upload continue the execution its first part opened.
            auto id = decoded->upload_id.empty() ? p.ids.next() : decoded->upload_id;
            auto execution = new_execution_of(std::move(*decoded), std::move(id), now);
            const auto& rec = execution.record;
            intake_reply accepted;
            accepted.accepted = {rec.id, rec.document_ids.size(), "fsync"};
            if (claims_key) {
                idempotency_record record{now + settings_.idempotency_ttl_ms, fingerprint,
                                          accepted.accepted};
                execution.answers.emplace_back(key, encode_idempotency_record(record));
                if (settings_.replicate) execution.outbox_claim = key;  // claimed cluster-wide
                claimed.emplace(key, std::move(record));
            }
            batch.replies.push_back(std::move(accepted));
            batch.executions.push_back(std::move(execution));
            batch.requests.push_back(std::move(request));
        }
        // A batch of repeats alone stores nothing new, yet is committed like any other: its
        // sync is what makes the first posts it answers for durable if an earlier sync failed.
        if (batch.requests.empty()) continue;
        const bool replicated = static_cast<bool>(settings_.replicate);
        if (replicated) {
            for (auto& execution : batch.executions) execution.outbox = execution.queues();
        }

        // The group commit: one write, one fsync, on this thread. A separate syncer thread
        // that fsyncs batch N while this one writes N+1 measured slower on two cores: the
        // hand-offs cost more CPU than the overlap saved, and batches grow while the fsync runs.
        const auto appended = db_.commit(batch.executions);
        if (!appended) {
            failed_batches_.fetch_add(1, std::memory_order_relaxed);
            refusing_writes_.store(true, std::memory_order_relaxed);
            reply_all(batch, appended.error());
            continue;
        }
        refusing_writes_.store(false, std::memory_order_relaxed);
        if (replicated) {
            // "202 means on disk" here and, before it, in the cluster: the caller is answered
            // once both hold the documents.
            std::vector<store::new_execution> queued;
            for (const auto& execution : batch.executions) {
                if (execution.queues()) queued.push_back(execution);
            }
            auto handed = settings_.replicate(queued);
            if (!handed) {
                for (const auto& request : batch.requests) {
                    refuse(request, intake_status::cluster_unavailable, handed.error().message());
                }
                continue;
            }
            answer_superseded(queued, *handed, batch.replies);
            for (auto& reply : batch.replies) {
                if (!reply.repeat) reply.accepted.durability = "fsync+cluster";
            }
        }
        count(batch);
        reply_all(batch, {});
        if (!on_committed_ || replicated) continue;
        // Only queued executions reach the executors; a closing part's documents are in the
        // store (the executor reads them there), not all in this message.
        std::vector<store::new_execution> fresh;
        fresh.reserve(batch.executions.size());
        for (auto& execution : batch.executions) {
            if (!execution.queues()) continue;
            if (execution.arrives == part::closing) execution.documents.clear();
            fresh.push_back(std::move(execution));
        }
        on_committed_(*appended, std::move(fresh));
    }
}

}  // namespace ferry::engine
