#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/engine/execute/execution_slots.hpp"
#include "ferry/engine/execute/reply.hpp"
#include "ferry/engine/gateway_settings.hpp"
#include "ferry/engine/intake/submission.hpp"
#include "ferry/engine/model/process.hpp"
#include "ferry/engine/ops/dead_letters.hpp"
#include "ferry/engine/ops/replay.hpp"
#include "ferry/engine/runtime.hpp"
#include "ferry/transport/context.hpp"

namespace ferry::engine {

/// The ingress's view of the engine: find the process behind an operation, decide how a call
/// runs (execution slots, in memory or stored), submit a request's documents to the intake
/// over ZeroMQ, read execution records. The ingress asks; the rules are here.
///
/// Concurrency: every method may be called from any I/O thread. Store reads hop to a small
/// blocking pool so that I/O threads never wait on RocksDB.
class gateway {
public:
    gateway(runtime& engine, transport::context& ctx, boost::asio::any_io_executor io,
            gateway_settings settings = {});
    ~gateway();
    gateway(const gateway&) = delete;
    gateway& operator=(const gateway&) = delete;

    /// The process serving an operation (null if none), and whether an operator paused it.
    struct served_operation {
        std::shared_ptr<const engine::process> process;
        bool paused = false;
    };
    served_operation find_operation(std::string_view operation) const;
    /// Every operation an active process serves over HTTP, by name (queue listeners left out).
    std::vector<served_operation> served_operations() const;
    /// A REST request's route among the served APIs (registry::dispatch_api) and, when it
    /// matched, the process serving the route's operation. `path` is below /ws/rest/.
    struct api_call {
        api_dispatch route;
        served_operation served;
    };
    api_call find_api_route(std::string_view method, std::string_view path,
                            const api_routes::header_lookup& header = {}) const;
    /// The APIs being served, by base path (for WSDL and OpenAPI documents).
    std::shared_ptr<const registry> current_registry() const;

    /// Hot deployment (engine::deployments), run on the blocking pool.
    [[nodiscard]] boost::asio::awaitable<refused_or<deploy_outcome>> deploy(
        std::string text, std::string file, bool activate, bool allow_breaking = false);
    [[nodiscard]] boost::asio::awaitable<refused_or<deploy_outcome>> activate(
        std::string name, std::uint32_t version);
    [[nodiscard]] boost::asio::awaitable<refused_or<void>> undeploy(std::string name);
    [[nodiscard]] boost::asio::awaitable<refused_or<deploy_outcome>> activate_api(
        std::string name, std::uint32_t version, bool allow_breaking = false);
    [[nodiscard]] boost::asio::awaitable<refused_or<void>> undeploy_api(
        std::string name, std::optional<std::uint32_t> version);
    std::vector<api_version_status> api_versions() const;
    enum class listener_action { pause, resume, restart };
    [[nodiscard]] boost::asio::awaitable<refused_or<listener_status>> change_listener(
        std::string name, listener_action action);
    std::vector<listener_status> listeners() const;
    std::vector<version_status> versions() const;

    /// A slot for one synchronous execution of `p`, held until its answer is written; none when
    /// the operation runs its maximum already (the caller answers 503 too_many_executions).
    std::optional<execution_slot> take_execution_slot(const process& p);
    /// The limit take_execution_slot applies to `p`.
    std::size_t execution_limit(const process& p) const;
    /// Synchronous calls refused for want of a slot, for /metrics.
    std::uint64_t executions_refused() const;

    /// Completes once the intake has durably stored the submission (or refused it).
    /// Transport errors: transport::errc::busy (queue full), shutting_down.
    [[nodiscard]] boost::asio::awaitable<boost::system::result<intake_reply>> submit(submission s);

    /// What a synchronous call came to: the intake's answer and, when the executor replied in
    /// time, the reply for the caller.
    struct call_result {
        intake_reply stored;
        std::optional<http_answer> answer;
        bool in_memory = false;  // nothing was stored: no answer means nothing to follow later
    };
    /// Submits with a fresh correlation id and, once stored, waits up to `wait` for the
    /// executor's reply (SPEC §4). Without a reply in time, or with no wait at all, `answer`
    /// is empty; the execution goes on and its outcome stays readable in the history.
    /// A low_latency process runs in memory, unless the submission is a debug run or has an
    /// idempotency key (repeats are answered from a stored execution): nothing is stored, the
    /// execution goes straight to an executor and `stored` carries the id it ran under, with
    /// durability "none".
    /// A repeated idempotent post (stored.repeat) waits instead for the reply the first post's
    /// execution keeps in the store.
    [[nodiscard]] boost::asio::awaitable<boost::system::result<call_result>> call(
        const process& p, submission s, std::chrono::milliseconds wait);

    [[nodiscard]] boost::asio::awaitable<boost::system::result<store::execution_record>> execution(
        std::string id);
    /// A page of the execution history, newest first (store::list_executions), with running
    /// executions shown as running.
    [[nodiscard]] boost::asio::awaitable<boost::system::result<store::execution_page>>
    list_executions(store::execution_filter filter, std::string cursor, std::size_t limit);
    /// Replays stored execution `id` as a new execution, stored durably like a post
    /// (replay_submission): the intake's reply, or why it cannot be replayed.
    [[nodiscard]] boost::asio::awaitable<boost::system::result<refused_or<intake_reply>>> replay(
        std::string id, std::optional<std::uint32_t> version = std::nullopt);
    /// Bulk replays (replay_jobs): start, read, list, cancel.
    refused_or<std::string> start_replay(replay_request request);
    std::optional<replay_progress> replay_job(const std::string& id) const;
    std::vector<replay_progress> list_replays() const;
    bool cancel_replay(const std::string& id);
    /// Internal queues and their dead letters (engine/dead_letters.hpp), on the blocking pool.
    [[nodiscard]] boost::asio::awaitable<boost::system::result<std::vector<queue_status>>> queues();
    [[nodiscard]] boost::asio::awaitable<boost::system::result<dead_letter_page>> dead_letters(
        std::string queue, std::string cursor, std::size_t limit);
    [[nodiscard]] boost::asio::awaitable<boost::system::result<dead_letter_view>> dead_letter(
        std::string id);
    /// Resends dead letter `id` (resend_submission), stored durably like a post; once stored
    /// it is no longer a dead letter.
    [[nodiscard]] boost::asio::awaitable<boost::system::result<refused_or<intake_reply>>>
    resend_dead_letter(std::string id);
    [[nodiscard]] boost::asio::awaitable<boost::system::result<void>> clear_dead_letters(
        std::vector<std::string> ids);

    /// An answer kept for a returning caller ("page/<token>", "reply/<execution id>"), read on
    /// a blocking thread, with `expired` set.
    [[nodiscard]] boost::asio::awaitable<boost::system::result<kept_answer>> kept(std::string key);
    /// A stored document (request document or step output), read on a blocking thread.
    [[nodiscard]] boost::asio::awaitable<boost::system::result<store::document>> document(
        std::string id);

    engine_stats stats() const;
    /// Whether the store refuses writes now (stats().intake.refusing_writes, without the rest).
    bool refusing_writes() const;
    /// Cluster mode: the cluster's nodes and workers as they last reported (read from the
    /// cluster, off the I/O threads); nullopt in embedded mode.
    boost::asio::awaitable<std::optional<boost::system::result<std::vector<cluster::member_view>>>>
    cluster_members();

    /// Fails waiting submissions with shutting_down and stops receiving replies; call before
    /// stopping the runtime.
    void close();

private:
    boost::system::result<intake_reply> run_in_memory(submission s);
    boost::asio::awaitable<std::optional<http_answer>> kept_reply(std::string execution_id,
                                                                  std::chrono::milliseconds wait);
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ferry::engine
