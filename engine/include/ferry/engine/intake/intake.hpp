#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "ferry/store/histogram.hpp"
#include "ferry/store/store.hpp"
#include "ferry/threads/service_thread.hpp"
#include "ferry/transport/context.hpp"

namespace ferry::engine {

struct intake_settings {
    std::string endpoint = "inproc://ferry-intake";
    std::size_t max_batch = 4096;                  // requests per write
    std::int64_t idempotency_ttl_ms = 86'400'000;  // how long an Idempotency-Key is remembered
    /// Cluster mode (the ingress outbox): queued executions go to the store's outbox instead
    /// of its pending queue, and once a group commit is durable they are handed to this, which
    /// returns when the cluster acknowledged them; only then are the requests answered. An
    /// error answers them cluster_unavailable. Per execution: nullopt when published; else
    /// another node claimed its Idempotency-Key first, and this is that claim (an encoded
    /// idempotency_record): the execution was cancelled, and its caller gets that receipt.
    /// Runs on the intake thread.
    using replicated = std::vector<std::optional<std::string>>;
    /// Cluster mode: the claim another node made on an idempotency key this store does not
    /// know (an encoded idempotency_record), nullopt for none; an error answers the request
    /// cluster_unavailable. Runs on the intake thread.
    std::function<boost::system::result<std::optional<std::string>>(const std::string& key)>
        recall_claim{};
    std::function<boost::system::result<replicated>(std::span<const store::new_execution>)>
        replicate{};
};

struct intake_stats {
    std::uint64_t batches = 0;   // batches written (each covered by a WAL fsync)
    std::uint64_t requests = 0;  // submissions acknowledged
    std::uint64_t largest_batch = 0;
    std::uint64_t failed_batches = 0;
    store::histogram::snapshot batch_sizes;  // requests per group commit
    /// The last group commit failed (a full disk, an I/O error): posts are refused until one
    /// succeeds again.
    bool refusing_writes = false;
};

/// Called with the highest seq a sync covered and the executions it made durable.
using committed_handler = std::function<void(std::uint64_t, std::vector<store::new_execution>)>;

/// Receives submissions over ZeroMQ and makes them durable by group commit. One thread:
///
/// - it takes every submission queued (up to max_batch), writes them as one RocksDB batch and
///   fsyncs the WAL;
/// - only then does it send that batch's receipts and tell the executors (`on_committed`) that
///   its executions may run;
/// - submissions that arrive during the fsync queue in ZeroMQ and form the next batch, so the
///   batch grows with the load and the number of fsyncs does not.
///
/// Nothing is acknowledged or executed before it is durable.
///
/// Lifecycle: start() binds the endpoint and starts the thread; stop() finishes the batch in
/// hand and joins. Submissions still queued in ZeroMQ get no reply: they were never
/// acknowledged.
/// Concurrency: `on_committed(synced_seq, executions)` runs on the intake thread; it receives
/// the executions that sync made durable (with their documents), in seq order.
class intake_service {
public:
    intake_service(transport::context& ctx, store::store& db, intake_settings settings,
                   committed_handler on_committed);
    ~intake_service();
    intake_service(const intake_service&) = delete;
    intake_service& operator=(const intake_service&) = delete;

    void start();
    void stop();
    intake_stats stats() const;
    /// intake_stats::refusing_writes alone, for a health check: one atomic read.
    bool refusing_writes() const { return refusing_writes_.load(std::memory_order_relaxed); }

private:
    struct pipeline;  // the intake thread's state: its socket and id generator
    void run(std::stop_token stop);

    transport::context& ctx_;
    store::store& db_;
    intake_settings settings_;
    committed_handler on_committed_;

    std::atomic<std::uint64_t> batches_{0};
    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> largest_batch_{0};
    store::histogram batch_sizes_{store::histogram::sizes()};
    std::atomic<std::uint64_t> failed_batches_{0};
    std::atomic<bool> refusing_writes_{false};
    std::unique_ptr<pipeline> pipeline_;
    threads::service_thread thread_;
};

}  // namespace ferry::engine
