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

asio::awaitable<boost::system::result<store::execution_record>> gateway::execution(std::string id) {
    auto back = co_await asio::this_coro::executor;
    co_await asio::post(impl_->blocking, asio::use_awaitable);
    auto record = impl_->engine.db().read_execution(id);
    if (record && record->state == store::execution_state::queued) {
        // "Running" is not written to the store; the executors know it.
        if (const auto since = impl_->engine.executors().running_since(id)) {
            record->state = store::execution_state::running;
            record->started_ms = *since;
        }
    }
    co_await asio::post(back, asio::use_awaitable);
    co_return record;
}

asio::awaitable<boost::system::result<store::document>> gateway::document(std::string id) {
    auto back = co_await asio::this_coro::executor;
    co_await asio::post(impl_->blocking, asio::use_awaitable);
    auto doc = impl_->engine.db().read_document(id);
    co_await asio::post(back, asio::use_awaitable);
    co_return doc;
}

engine_stats gateway::stats() const { return impl_->engine.stats(); }

void gateway::close() { impl_->intake.close(); }

}  // namespace ferry::engine
