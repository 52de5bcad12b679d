#include "ferry/engine/gateway.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ferry/transport/request_client.hpp"

namespace ferry::engine {
namespace asio = boost::asio;

struct gateway::impl {
    runtime& engine;
    transport::request_client intake;
    asio::thread_pool blocking{2};

    impl(runtime& e, transport::context& ctx, asio::any_io_executor io)
        : engine(e), intake(ctx, std::move(io), e.settings().intake_endpoint) {}
};

gateway::gateway(runtime& engine, transport::context& ctx, asio::any_io_executor io)
    : impl_(std::make_unique<impl>(engine, ctx, std::move(io))) {}

gateway::~gateway() {
    close();
    impl_->blocking.join();
}

std::shared_ptr<const process> gateway::find_operation(std::string_view operation) const {
    return impl_->engine.processes().get()->by_operation(operation);
}

asio::awaitable<boost::system::result<intake_reply>> gateway::submit(submission s) {
    auto reply = co_await impl_->intake.request(encode_submission(s));
    if (!reply) co_return reply.error();
    co_return decode_reply(*reply);
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

asio::awaitable<boost::system::result<store::execution_record>> gateway::execution(std::string id) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking, [&engine, &id] {
        auto record = engine.db().read_execution(id);
        if (record && record->state == store::execution_state::queued) {
            // "Running" is not written to the store; the executors know it.
            if (const auto since = engine.executors().running_since(id)) {
                record->state = store::execution_state::running;
                record->started_ms = *since;
            }
        }
        return record;
    });
}

asio::awaitable<boost::system::result<store::document>> gateway::document(std::string id) {
    auto& engine = impl_->engine;
    co_return co_await on_pool(impl_->blocking,
                               [&engine, &id] { return engine.db().read_document(id); });
}

engine_stats gateway::stats() const { return impl_->engine.stats(); }

void gateway::close() { impl_->intake.close(); }

}  // namespace ferry::engine
