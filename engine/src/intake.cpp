#include "ferry/engine/intake.hpp"

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <optional>
#include <unordered_map>

#include "clock.hpp"
#include "ferry/store/error.hpp"
#include "ferry/engine/idempotency.hpp"
#include "ferry/engine/submission.hpp"
#include "ferry/transport/batch_server.hpp"
#include "ferry/transport/error.hpp"
#include "id_generator.hpp"

namespace ferry::engine {
using part = store::new_execution::part;

/// A batch written to the store, waiting for a sync that covers its ticket.
struct awaiting_batch {
    std::uint64_t ticket = 0;    // write order; a batch of staged parts adds no pending seq
    std::uint64_t last_seq = 0;  // highest pending seq after this batch
    std::vector<transport::envelope> requests;
    std::vector<intake_reply> replies;  // sent once the batch is durable
    std::vector<store::new_execution> executions;  // handed to the executors once durable
};

namespace {

using claims = std::unordered_map<std::string, idempotency_record>;

// The claim in force on an idempotency key: one made earlier in this batch, or one in the
// store that has not expired. An unreadable claim is an error, never "no claim": guessing
// could run a process twice.
boost::system::result<std::optional<idempotency_record>> claim_in_force(
    const store::store& db, const claims& in_batch, const std::string& key, std::int64_t now) {
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

}  // namespace

struct intake_service::pipeline {
    pipeline(transport::context& ctx, const std::string& endpoint) : server(ctx, endpoint) {}
    transport::batch_server server;
    std::deque<awaiting_batch> awaiting;
    std::uint64_t tickets = 0;
    id_generator ids;
};

intake_service::intake_service(transport::context& ctx, store::store& db, intake_settings settings,
                               committed_handler on_committed)
    : ctx_(ctx), db_(db), settings_(std::move(settings)), on_committed_(std::move(on_committed)) {}

intake_service::~intake_service() { stop(); }

void intake_service::start() {
    // Bind before returning so that clients connecting right after start() find the endpoint.
    pipeline_ = std::make_unique<pipeline>(ctx_, settings_.endpoint);
    sync_signal_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    stopping_ = false;
    syncer_stopping_ = false;
    syncer_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "ferry-sync");
        sync_loop();
    });
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "ferry-intake");
        run();
    });
}

void intake_service::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    {
        std::lock_guard lock(sync_mutex_);
        syncer_stopping_ = true;
    }
    sync_wake_.notify_all();
    if (syncer_.joinable()) syncer_.join();
    pipeline_.reset();
    if (sync_signal_ >= 0) ::close(sync_signal_);
    sync_signal_ = -1;
}

intake_stats intake_service::stats() const {
    return {batches_.load(), requests_.load(), largest_batch_.load(), failed_batches_.load(),
            batch_sizes_.read()};
}

void intake_service::sync_loop() {
    std::unique_lock lock(sync_mutex_);
    for (;;) {
        sync_wake_.wait(lock, [&] { return syncer_stopping_ || sync_requested_ > sync_done_; });
        if (syncer_stopping_) return;
        const auto target = sync_requested_;
        lock.unlock();
        // Everything appended up to `target` was written before this call: one fsync covers it.
        const auto synced = db_.sync();
        lock.lock();
        sync_done_ = target;
        sync_error_ = synced ? boost::system::error_code{} : synced.error();
        const std::uint64_t one = 1;
        (void)::write(sync_signal_, &one, sizeof one);
    }
}

void intake_service::run() {
    auto& p = *pipeline_;
    const auto reply_all = [&](awaiting_batch& batch, const boost::system::error_code& failed) {
        for (std::size_t i = 0; i < batch.requests.size(); ++i) {
            intake_reply reply;
            if (failed) {
                reply.status = intake_status::storage_failure;
                reply.message = failed.message();
            } else {
                reply = std::move(batch.replies[i]);
            }
            (void)p.server.reply(batch.requests[i], encode_reply(reply));
        }
    };
    // Sends the receipts of every batch the last finished sync covers.
    const auto answer_synced = [&] {
        std::uint64_t drained = 0;
        (void)::read(sync_signal_, &drained, sizeof drained);
        std::uint64_t done = 0;
        boost::system::error_code failed;
        {
            std::lock_guard lock(sync_mutex_);
            done = sync_done_;
            failed = sync_error_;
        }
        bool any = false;
        std::uint64_t committed_seq = 0;
        std::vector<store::new_execution> fresh;
        while (!p.awaiting.empty() && p.awaiting.front().ticket <= done) {
            auto& batch = p.awaiting.front();
            committed_seq = batch.last_seq;
            // Counters first: a submitter that got its receipt must see itself counted.
            if (failed) {
                failed_batches_.fetch_add(1, std::memory_order_relaxed);
            } else {
                batches_.fetch_add(1, std::memory_order_relaxed);
                requests_.fetch_add(batch.requests.size(), std::memory_order_relaxed);
                batch_sizes_.observe(static_cast<double>(batch.requests.size()));
                if (batch.requests.size() > largest_batch_.load(std::memory_order_relaxed)) {
                    largest_batch_.store(batch.requests.size(), std::memory_order_relaxed);
                }
            }
            reply_all(batch, failed);
            if (fresh.empty()) {
                fresh = std::move(batch.executions);
            } else {
                fresh.insert(fresh.end(), std::make_move_iterator(batch.executions.begin()),
                             std::make_move_iterator(batch.executions.end()));
            }
            p.awaiting.pop_front();
            any = true;
        }
        if (any && !failed && on_committed_) on_committed_(committed_seq, std::move(fresh));
    };

    std::vector<store::new_execution> executions;
    while (!stopping_) {
        const auto ready = p.server.wait(std::chrono::milliseconds(50), sync_signal_);
        if (!ready) {
            if (ready.error() == transport::errc::shutting_down) break;
            continue;  // logged by the transport; keep serving
        }
        if (ready->descriptor) answer_synced();
        if (!ready->requests) continue;
        auto requests = p.server.take(settings_.max_batch);
        if (!requests || requests->empty()) continue;

        awaiting_batch batch;
        executions.clear();
        claims claimed;
        const auto now = now_ms();
        for (auto& request : *requests) {
            auto decoded = decode_submission(request.body);
            if (!decoded) {
                intake_reply refused;
                refused.status = intake_status::bad_request;
                refused.message = "malformed submission";
                (void)p.server.reply(request, encode_reply(refused));
                continue;
            }
            // Only a whole submission or an upload's closing part claims its key.
            const auto key = decoded->idempotency_key;
            const auto fingerprint = decoded->fingerprint;
            const bool claims_key = !key.empty() && (decoded->arrives == part::whole ||
                                                     decoded->arrives == part::closing);
            if (claims_key) {
                const auto earlier = claim_in_force(db_, claimed, key, now);
                if (!earlier || (*earlier && (*earlier)->fingerprint != fingerprint)) {
                    intake_reply refused;
                    refused.status = earlier ? intake_status::conflict
                                             : intake_status::storage_failure;
                    refused.message =
                        earlier ? "the idempotency key was used by a different request"
                                : "the idempotency key could not be read: " +
                                      earlier.error().message();
                    (void)p.server.reply(request, encode_reply(refused));
                    continue;
                }
                if (*earlier) {
                    // A repeat: the first post's receipt, once this batch (which comes after
                    // the first post's) is durable. A repeated upload's staged parts go.
                    if (decoded->arrives == part::closing) {
                        decoded->arrives = part::aborted;
                        auto id = decoded->upload_id;
                        executions.push_back(new_execution_of(std::move(*decoded), id, now));
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
                claimed.emplace(key, std::move(record));
            }
            batch.replies.push_back(std::move(accepted));
            executions.push_back(std::move(execution));
            batch.requests.push_back(std::move(request));
        }
        // A batch of repeats alone stores nothing, yet waits for a sync like any other: the
        // first posts it answers for may still be in flight to the disk.
        if (batch.requests.empty()) continue;

        const auto appended = db_.append(executions);
        if (!appended) {
            failed_batches_.fetch_add(1, std::memory_order_relaxed);
            reply_all(batch, appended.error());
            continue;
        }
        batch.last_seq = *appended;
        const auto ticket = batch.ticket = ++p.tickets;
        // Only queued executions reach the executors; a closing part's documents are in the
        // store (the executor reads them there), not all in this message.
        for (auto& execution : executions) {
            if (!execution.queues()) continue;
            if (execution.arrives == part::closing) {
                execution.documents.clear();
            }
            batch.executions.push_back(std::move(execution));
        }
        executions.clear();
        p.awaiting.push_back(std::move(batch));
        {
            std::lock_guard lock(sync_mutex_);
            sync_requested_ = ticket;
        }
        sync_wake_.notify_one();
    }

    // Stopping: the syncer stops first, then what was written gets one last sync and answers.
    {
        std::lock_guard lock(sync_mutex_);
        syncer_stopping_ = true;
    }
    sync_wake_.notify_all();
    if (syncer_.joinable()) syncer_.join();
    if (!p.awaiting.empty()) {
        const auto synced = db_.sync();
        {
            std::lock_guard lock(sync_mutex_);
            sync_done_ = p.awaiting.back().ticket;
            sync_error_ = synced ? boost::system::error_code{} : synced.error();
        }
        answer_synced();
    }
}

}  // namespace ferry::engine
