#include "ferry/engine/gateway.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <unordered_map>

#include "clock.hpp"
#include "cluster/cluster_replies.hpp"
#include "ferry/store/error.hpp"
#include "ferry/transport/error.hpp"
#include "ferry/transport/reply_channel.hpp"
#include "ferry/transport/request_client.hpp"
#include "id_generator.hpp"

namespace ferry::engine {
namespace asio = boost::asio;

namespace {

/// A synchronous caller waiting for its reply: the timer is cancelled when it arrives.
struct waiter {
    explicit waiter(const asio::any_io_executor& io) : timer(io) {}
    asio::steady_timer timer;
    std::optional<http_answer> answer;  // touched only on the timer's executor
};

}  // namespace

struct gateway::impl {
    runtime& engine;
    transport::request_client intake;
    asio::thread_pool blocking{2};
    std::mutex waiters_mutex;
    std::unordered_map<std::string, std::shared_ptr<waiter>> waiters;
    std::optional<transport::reply_receiver> replies;
    gateway_settings settings;
    execution_slots slots;
    std::atomic<std::uint64_t> executions_refused{0};

    impl(runtime& e, transport::context& ctx, asio::any_io_executor io, gateway_settings s)
        : engine(e), intake(ctx, std::move(io), e.settings().intake_endpoint), settings(s) {
        replies.emplace(ctx, e.settings().reply_endpoint,
                        [this](transport::frames f) { deliver(std::move(f)); });
    }

    // On the reply thread: hands the reply to its waiter's executor. A reply whose caller
    // gave up (or that is malformed) is dropped; the execution is in the history either way.
    void deliver(transport::frames f) {
        auto reply = decode_sync_reply(f);
        if (!reply) return;
        std::shared_ptr<waiter> w;
        {
            std::lock_guard lock(waiters_mutex);
            const auto it = waiters.find(reply->reply_to);
            if (it == waiters.end()) return;
            w = std::move(it->second);
            waiters.erase(it);
        }
        asio::post(w->timer.get_executor(), [w, answer = std::move(reply->answer)]() mutable {
            w->answer = std::move(answer);
            w->timer.cancel();
        });
    }
};

gateway::gateway(runtime& engine, transport::context& ctx, asio::any_io_executor io,
                 gateway_settings settings)
    : impl_(std::make_unique<impl>(engine, ctx, std::move(io), settings)) {}

std::size_t gateway::execution_limit(const process& p) const {
    return p.listen.max_concurrent_executions.value_or(impl_->settings.max_concurrent_executions);
}

std::optional<execution_slot> gateway::take_execution_slot(const process& p) {
    const auto operation = p.listen.operation_name();
    if (!impl_->slots.take(operation, execution_limit(p))) {
        impl_->executions_refused.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
    }
    return execution_slot(impl_->slots, operation);
}

std::uint64_t gateway::executions_refused() const {
    return impl_->executions_refused.load(std::memory_order_relaxed);
}

gateway::~gateway() {
    close();
    impl_->blocking.join();
}

gateway::served_operation gateway::find_operation(std::string_view operation) const {
    const auto current = impl_->engine.processes().get();
    served_operation out;
    out.process = current->by_operation(operation);
    out.paused = out.process && current->paused(out.process->name);
    return out;
}

gateway::api_call gateway::find_api_route(std::string_view method, std::string_view path,
                                          const api_routes::header_lookup& header) const {
    const auto current = impl_->engine.processes().get();
    api_call out{current->dispatch_api(method, path, header), {}};
    if (const auto* match = std::get_if<api_match>(&out.route)) {
        out.served.process = current->by_operation(match->route->operation);
        out.served.paused = out.served.process && current->paused(out.served.process->name);
    }
    return out;
}

std::shared_ptr<const registry> gateway::current_registry() const {
    return impl_->engine.processes().get();
}

std::vector<gateway::served_operation> gateway::served_operations() const {
    const auto current = impl_->engine.processes().get();
    std::vector<served_operation> out;
    for (const auto& [name, p] : current->operations()) {
        out.push_back({p, current->paused(p->name)});
    }
    return out;
}

asio::awaitable<boost::system::result<intake_reply>> gateway::submit(submission s) {
    auto reply = co_await impl_->intake.request(encode_submission(s));
    if (!reply) co_return reply.error();
    co_return decode_reply(*reply);
}

asio::awaitable<boost::system::result<gateway::call_result>> gateway::call(
    const process& p, submission s, std::chrono::milliseconds wait) {
    // low_latency runs in memory, unless X-Debug asked for a stored, general-mode run or an
    // idempotency key needs a stored execution to answer repeats from.
    const bool in_memory =
        p.mode == execution_mode::low_latency && !s.debug && s.idempotency_key.empty();
    auto w = std::make_shared<waiter>(co_await asio::this_coro::executor);
    // In a cluster the reply may come from another machine: the id names this node.
    const auto& cluster = impl_->engine.settings().cluster;
    s.reply_to = cluster ? cluster::reply_to_on(cluster->node, random_hex128()) : random_hex128();
    const auto key = s.reply_to;
    {
        std::lock_guard lock(impl_->waiters_mutex);
        impl_->waiters.emplace(key, w);
    }
    // Registered before submitting: the reply can come before the receipt is read.
    // (No co_await inside ?: : GCC 12 miscompiles it.)
    boost::system::result<intake_reply> stored = transport::errc::busy;
    if (in_memory) {
        stored = run_in_memory(std::move(s));
    } else {
        stored = co_await submit(std::move(s));
    }
    const bool accepted = stored && stored->status == intake_status::ok;
    if (accepted && !stored->repeat && !w->answer) {
        w->timer.expires_after(wait);
        boost::system::error_code ignored;
        co_await w->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    {
        std::lock_guard lock(impl_->waiters_mutex);
        impl_->waiters.erase(key);
    }
    if (!stored) co_return stored.error();
    // No wait (Prefer: respond-async, X-Max-Wait: 0) always means the 202, even when a fast
    // executor's reply is already here: the caller asked not to get it now.
    if (wait.count() <= 0) co_return call_result{std::move(*stored), std::nullopt, in_memory};
    if (accepted && stored->repeat) {
        // The first post's execution replies to the first caller; a repeat reads the reply
        // it keeps in the store.
        auto answer = co_await kept_reply(stored->accepted.execution_id, wait);
        co_return call_result{std::move(*stored), std::move(answer), in_memory};
    }
    co_return call_result{std::move(*stored), std::move(w->answer), in_memory};
}

asio::awaitable<std::optional<http_answer>> gateway::kept_reply(std::string execution_id,
                                                                std::chrono::milliseconds wait) {
    const auto give_up = std::chrono::steady_clock::now() + wait;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto pause = std::chrono::milliseconds(5);
    for (;;) {
        auto reply = co_await kept("reply/" + execution_id);
        if (reply) {
            if (reply->expired) co_return std::nullopt;
            co_return std::move(reply->answer);
        }
        const auto left = give_up - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) co_return std::nullopt;
        // Still running: look again soon, less often the longer it takes.
        timer.expires_after(std::min<std::chrono::steady_clock::duration>(pause, left));
        boost::system::error_code ignored;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        pause = std::min(pause * 2, std::chrono::milliseconds(200));
    }
}

boost::system::result<intake_reply> gateway::run_in_memory(submission s) {
    thread_local id_generator ids;
    auto execution = new_execution_of(std::move(s), ids.next(), now_ms());
    const auto& rec = execution.record;
    intake_reply reply;
    reply.accepted = {rec.id, rec.document_ids.size(), "none"};
    if (!impl_->engine.executors().run_in_memory(std::move(execution))) {
        return transport::errc::busy;
    }
    return reply;
}

namespace {

// Runs a blocking store read on `pool` and resumes the caller on its own executor.
template <typename Read>
auto on_pool(asio::thread_pool& pool, Read read) -> asio::awaitable<decltype(read())> {
    auto back = co_await asio::this_coro::executor;
    co_await asio::post(pool, asio::use_awaitable);
    auto result = read();
    co_await asio::post(back, asio::use_awaitable);
    co_return result;
}

}  // namespace

namespace {

// "Running" is not written to the store; the executors know it.
void mark_running(runtime& engine, store::execution_record& record) {
    if (record.state != store::execution_state::queued) return;
    if (const auto since = engine.executors().running_since(record.id)) {
        record.state = store::execution_state::running;
        record.started_ms = *since;
    }
}

}  // namespace

asio::awaitable<boost::system::result<store::execution_record>> gateway::execution(std::string id) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking, [&engine, &id] {
        auto record = engine.db().read_execution(id);
        if (record) mark_running(engine, *record);
        return record;
    });
}

asio::awaitable<boost::system::result<store::execution_page>> gateway::list_executions(
    store::execution_filter filter, std::string cursor, std::size_t limit) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking, [&engine, &filter, &cursor, limit] {
        return engine.db().list_executions(
            filter, cursor, limit,
            [&engine](store::execution_record& r) { mark_running(engine, r); });
    });
}

asio::awaitable<boost::system::result<store::document>> gateway::document(std::string id) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking,
                               [&engine, &id] { return engine.db().read_document(id); });
}

asio::awaitable<boost::system::result<refused_or<intake_reply>>> gateway::replay(
    std::string id, std::optional<std::uint32_t> version) {
    auto& engine = impl_->engine;
    auto prepared = co_await on_pool(impl_->blocking, [&engine, &id, version] {
        return replay_submission(engine.db(), *engine.processes().get(), id, version);
    });
    if (!prepared) co_return refused_or<intake_reply>(std::move(prepared).error());
    auto stored = co_await submit(*std::move(prepared));
    if (!stored) co_return stored.error();
    co_return refused_or<intake_reply>(std::move(*stored));
}

asio::awaitable<boost::system::result<std::vector<queue_status>>> gateway::queues() {
    auto& engine = impl_->engine;
    co_return co_await on_pool(
        impl_->blocking, [&engine]() -> boost::system::result<std::vector<queue_status>> {
            if (engine.cluster() == nullptr) {
                return read_queues(engine.db(), *engine.processes().get());
            }
            // Parked messages wait in the cluster, not in this node's store.
            auto parked = engine.cluster()->parked();
            if (!parked) return parked.error();
            return read_queues(engine.db(), *engine.processes().get(), &*parked);
        });
}

asio::awaitable<boost::system::result<dead_letter_page>> gateway::dead_letters(std::string queue,
                                                                               std::string cursor,
                                                                               std::size_t limit) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking, [&engine, &queue, &cursor, limit] {
        return read_dead_letters(engine.db(), queue, cursor, limit);
    });
}

asio::awaitable<boost::system::result<dead_letter_view>> gateway::dead_letter(std::string id) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking,
                               [&engine, &id] { return read_dead_letter(engine.db(), id); });
}

asio::awaitable<boost::system::result<refused_or<intake_reply>>> gateway::resend_dead_letter(
    std::string id) {
    auto& engine = impl_->engine;
    auto prepared = co_await on_pool(impl_->blocking, [&engine, &id] {
        return resend_submission(engine.db(), *engine.processes().get(), id);
    });
    if (!prepared) co_return refused_or<intake_reply>(std::move(prepared).error());
    auto stored = co_await submit(*std::move(prepared));
    if (!stored) co_return stored.error();
    if (stored->status == intake_status::ok) {
        // Resent and durable: no longer dead. Should this fail, the letter stays listed and a
        // second resend would deliver the message again (at least once, never lost).
        const auto removed = co_await on_pool(impl_->blocking, [&engine, &id] {
            const std::string ids[] = {id};
            return engine.remove_dead_letters(ids);
        });
        if (!removed) co_return removed.error();
    }
    co_return refused_or<intake_reply>(std::move(*stored));
}

asio::awaitable<boost::system::result<void>> gateway::clear_dead_letters(
    std::vector<std::string> ids) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking,
                               [&engine, &ids] { return engine.remove_dead_letters(ids); });
}

asio::awaitable<boost::system::result<kept_answer>> gateway::kept(std::string key) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(
        impl_->blocking, [&engine, &key]() -> boost::system::result<kept_answer> {
            auto bytes = engine.db().read_answer(key);
            // Cluster mode: an executor on another node or worker kept it in the cluster.
            if (!bytes && bytes.error() == store::errc::not_found && engine.cluster() != nullptr) {
                auto in_cluster = engine.cluster()->answer(key);
                if (!in_cluster) return in_cluster.error();
                if (*in_cluster) bytes = std::move(**in_cluster);
            }
            if (!bytes) return bytes.error();
            auto kept = decode_kept_answer(*bytes);
            if (kept) {
                kept->expired = kept->expires_ms != 0 && kept->expires_ms <= now_ms();
            }
            return kept;
        });
}

asio::awaitable<refused_or<deploy_outcome>> gateway::deploy(std::string text, std::string file,
                                                            bool activate, bool allow_breaking) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking, [&] {
        return engine.deployments().deploy(text, file, activate, allow_breaking);
    });
}

asio::awaitable<refused_or<deploy_outcome>> gateway::activate(std::string name,
                                                              std::uint32_t version) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking,
                               [&] { return engine.deployments().activate(name, version); });
}

asio::awaitable<refused_or<void>> gateway::undeploy(std::string name) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking,
                               [&] { return engine.deployments().undeploy(name); });
}

asio::awaitable<refused_or<deploy_outcome>> gateway::activate_api(std::string name,
                                                                  std::uint32_t version,
                                                                  bool allow_breaking) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking, [&] {
        return engine.deployments().activate_api(name, version, allow_breaking);
    });
}

asio::awaitable<refused_or<void>> gateway::undeploy_api(std::string name,
                                                        std::optional<std::uint32_t> version) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking,
                               [&] { return engine.deployments().undeploy_api(name, version); });
}

std::vector<api_version_status> gateway::api_versions() const {
    return impl_->engine.deployments().api_versions();
}

asio::awaitable<refused_or<listener_status>> gateway::change_listener(std::string name,
                                                                      listener_action action) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking, [&] {
        switch (action) {
            case listener_action::pause:
                return engine.deployments().pause(name);
            case listener_action::resume:
                return engine.deployments().resume(name);
            case listener_action::restart:
                break;
        }
        return engine.deployments().restart(name);
    });
}

asio::awaitable<std::optional<boost::system::result<std::vector<cluster::member_view>>>>
gateway::cluster_members() {
    const auto* node = impl_->engine.cluster();
    if (node == nullptr) co_return std::nullopt;
    co_return co_await on_pool(impl_->blocking, [node] {
        return std::optional<boost::system::result<std::vector<cluster::member_view>>>(
            node->members());
    });
}

std::vector<listener_status> gateway::listeners() const {
    return impl_->engine.deployments().listeners();
}

std::vector<version_status> gateway::versions() const {
    return impl_->engine.deployments().versions();
}

refused_or<std::string> gateway::start_replay(replay_request request) {
    return impl_->engine.replays().start(std::move(request));
}

std::optional<replay_progress> gateway::replay_job(const std::string& id) const {
    return impl_->engine.replays().progress(id);
}

std::vector<replay_progress> gateway::list_replays() const {
    return impl_->engine.replays().list();
}

bool gateway::cancel_replay(const std::string& id) { return impl_->engine.replays().cancel(id); }

engine_stats gateway::stats() const { return impl_->engine.stats(); }

bool gateway::refusing_writes() const { return impl_->engine.refusing_writes(); }

void gateway::close() {
    impl_->intake.close();
    impl_->replies.reset();
}

}  // namespace ferry::engine
