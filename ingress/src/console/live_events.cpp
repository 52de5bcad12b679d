// GET /_console/events: the live figures as server-sent events, one a second, until the client
// goes away or the server drains.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "console/console_pages.hpp"
#include "http/responses.hpp"
#include "service.hpp"

namespace ferry::ingress::console {
namespace {

std::string figures_event(service& svc) {
    const auto live = svc.live.update(svc.requests, std::chrono::steady_clock::now());
    const auto stats = svc.gateway->stats();
    boost::json::object body;
    body["requests_per_second"] = live.requests_per_second;
    body["errors_per_second"] = live.errors_per_second;
    body["p99_ms"] = live.p99_ms ? boost::json::value(*live.p99_ms) : nullptr;
    body["queued"] = stats.backlog;
    body["running"] = stats.executor.running;
    body["in_flight"] = stats.executor.in_flight;
    body["succeeded"] = stats.executor.succeeded;
    body["failed"] = stats.executor.failed;
    body["disk_free"] = stats.disk_free_bytes;
    boost::json::object operations;
    for (const auto& [name, rate] : live.operations) {
        operations[name] = {{"rate", rate.rate}, {"errors", rate.errors}};
    }
    body["operations"] = std::move(operations);
    return "event: figures\ndata: " + boost::json::serialize(body) + "\n\n";
}

}  // namespace

page live_events(routed_request r) {
    if (r.stream == nullptr) {
        co_return error_response(http::status::not_acceptable, "no_stream",
                                 "events are sent only over a connection", r.req);
    }
    // No Content-Length: the events go on until the connection closes.
    static constexpr std::string_view header =
        "HTTP/1.1 200 OK\r\n"
        "Server: ferry\r\n"
        "Content-Type: text/event-stream; charset=utf-8\r\n"
        "Cache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Connection: close\r\n\r\n"
        "retry: 2000\n\n";
    if (!co_await r.stream->write(header)) co_return response{};
    boost::asio::steady_timer tick(co_await boost::asio::this_coro::executor);
    while (r.svc.state.load() == server_state::listening) {
        if (!co_await r.stream->write(figures_event(r.svc))) break;
        tick.expires_after(std::chrono::seconds(1));
        (void)co_await tick.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    co_return response{};
}

}  // namespace ferry::ingress::console
