#include "ferry/ingress/server.hpp"

#include <pthread.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

#include "access.hpp"
#include "ferry/store/log.hpp"
#include "ferry/threads/service_thread.hpp"
#include "http/connection.hpp"
#include "http/listener.hpp"
#include "http/rate_limiter.hpp"
#include "http/tls.hpp"
#include "service.hpp"

namespace ferry::ingress {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Spawned coroutines complete here, so that an escaped exception is logged, not lost.
void log_exception(const char* what, std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        log::error("ingress", std::string(what) + " failed", {{"error", ex.what()}});
    }
}

// One connection too many: a short 503 and close, without reading the request (which costs
// nothing but the write, whatever the client sends).
asio::awaitable<void> refuse_connection(tcp::socket socket) {
    static const std::string answer = [] {
        const std::string body =
            R"({"error":"too_many_connections","detail":"this server has its maximum of )"
            R"(connections open; retry shortly"})";
        return "HTTP/1.1 503 Service Unavailable\r\nServer: ferry\r\n"
               "Content-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n"
               "Content-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    (void)co_await asio::async_write(socket, asio::buffer(answer), use_tuple);
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, listener& port, service& svc) {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    auto& io = static_cast<asio::io_context&>(acceptor.get_executor().context());
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_tuple);
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) {
            // Out of descriptors or similar: pause instead of spinning, then keep accepting.
            log::error("ingress", "accept failed", {{"error", ec.message()}});
            asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(use_tuple);
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto executor = socket.get_executor();
        // Counted here, released when the connection ends (connection_count).
        if (port.connections.fetch_add(1) >= port.settings.max_connections) {
            port.connections.fetch_sub(1);
            svc.counters.count(503);
            asio::co_spawn(executor, refuse_connection(std::move(socket)),
                           [](std::exception_ptr e) { log_exception("refused connection", e); });
            continue;
        }
        asio::co_spawn(executor, serve_connection(std::move(socket), port, svc),
                       [](std::exception_ptr e) { log_exception("connection", e); });
    }
}

}  // namespace

// A listener and its acceptor. The listener itself is owned by server::impl::ports, which
// outlives the io_context: connection coroutines still count against it while the io_context
// destroys them.
struct bound_listener {
    listener* port = nullptr;
    std::optional<tcp::acceptor> acceptor;
};

struct server::impl {
    engine::runtime& engine;
    transport::context& ctx;
    service svc;
    std::vector<std::unique_ptr<listener>> ports;  // before io: see bound_listener
    asio::io_context io;
    std::vector<std::unique_ptr<bound_listener>> listeners;
    threads::service_threads threads;  // run io; stopped by io.stop()
    std::mutex stop_mutex;
    bool stopped = false;

    impl(engine::runtime& e, transport::context& c, server_settings s)
        : engine(e), ctx(c), io(static_cast<int>(s.io_threads)) {
        svc.settings = std::move(s);
    }

    boost::system::result<void> bind(bound_listener& l) {
        const auto& settings = l.port->settings;
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(settings.address, ec);
        if (ec) return ec;
        const tcp::endpoint endpoint(address, settings.port);
        // A strand of its own: the accept loop and stop()'s close run on it, never at once.
        l.acceptor.emplace(asio::make_strand(io));
        if (l.acceptor->open(endpoint.protocol(), ec); ec) return ec;
        if (l.acceptor->set_option(tcp::acceptor::reuse_address(true), ec); ec) return ec;
        if (l.acceptor->bind(endpoint, ec); ec) return ec;
        if (l.acceptor->listen(asio::socket_base::max_listen_connections, ec); ec) return ec;
        l.port->port = l.acceptor->local_endpoint().port();
        if (settings.rate_limit > 0) {
            const auto burst = settings.rate_burst > 0 ? settings.rate_burst : settings.rate_limit;
            l.port->rate = std::make_shared<rate_limiter>(settings.rate_limit, burst);
        }
        if (settings.tls) {
            auto made = make_server_tls(*settings.tls);
            if (auto* error = std::get_if<std::string>(&made)) {
                std::fprintf(stderr, "ferry: %s\n", error->c_str());
                return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
            }
            l.port->tls = std::get<0>(std::move(made));
        }
        return {};
    }
};

server::server(engine::runtime& engine, transport::context& ctx, server_settings settings)
    : impl_(std::make_unique<impl>(engine, ctx, std::move(settings))) {}

server::~server() { stop(); }

boost::system::result<void> server::start() {
    auto& s = *impl_;
    for (const auto& settings : s.svc.settings.listeners) {
        auto l = std::make_unique<bound_listener>();
        s.ports.push_back(std::make_unique<listener>());
        l->port = s.ports.back().get();
        l->port->settings = settings;
        if (auto bound = s.bind(*l); !bound) return bound;
        s.listeners.push_back(std::move(l));
    }
    const bool needs_users = s.svc.settings.auth != authentication::none ||
                             s.svc.settings.admin_auth != authentication::none;
    if (needs_users) {
        try {
            s.svc.users = std::make_shared<user_source>(s.svc.settings.users_file);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "ferry: %s\n", e.what());
            return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
        }
    }

    s.svc.gateway = std::make_unique<engine::gateway>(s.engine, s.ctx, s.io.get_executor(),
                                                      s.svc.settings.calls);
    for (auto& l : s.listeners) {
        asio::co_spawn(l->acceptor->get_executor(), accept_loop(*l->acceptor, *l->port, s.svc),
                       [](std::exception_ptr e) { log_exception("accept loop", e); });
    }
    const auto count = std::max<std::size_t>(1, s.svc.settings.io_threads);
    s.threads.start(count, "ferry-http", [&s](std::size_t, const std::stop_token&) { s.io.run(); });
    return {};
}

void server::set_ready() { impl_->svc.state = server_state::listening; }
void server::drain() { impl_->svc.state = server_state::draining; }

void server::stop() {
    auto& s = *impl_;
    std::lock_guard lock(s.stop_mutex);
    if (s.stopped) return;
    s.stopped = true;
    s.svc.state = server_state::draining;
    for (auto& l : s.listeners) {
        if (!l->acceptor) continue;
        asio::post(l->acceptor->get_executor(), [&l] {
            boost::system::error_code ignored;
            l->acceptor->close(ignored);
        });
    }
    if (s.svc.gateway) s.svc.gateway->close();
    s.io.stop();
    s.threads.stop();
    s.svc.gateway.reset();
}

std::uint16_t server::port(std::size_t index) const {
    const auto& listeners = impl_->listeners;
    return index < listeners.size() ? listeners[index]->port->port : 0;
}
server_state server::state() const { return impl_->svc.state.load(); }
std::size_t server::in_flight() const { return impl_->svc.in_flight.load(); }

}  // namespace ferry::ingress
