// GET /_admin/workers: the `ferry worker` processes this server dispatches to, with what each
// said of itself in its last heartbeat; GET /_admin/nodes: in cluster mode, every node and
// worker of the cluster as it last reported (docs/admin-api.md).
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "admin/admin_api.hpp"
#include "http/responses.hpp"

namespace ferry::ingress {
namespace {

boost::json::object worker_json(const engine::worker_view& w) {
    const auto& e = w.report.executors;
    const auto waiting = std::min(e.waiting, e.in_flight);
    boost::json::object o;
    o["id"] = w.report.id;
    o["heard_ms_ago"] = w.heard_ms_ago;
    o["leased"] = w.leased;
    o["reported"] = w.reported;
    o["threads"] = w.report.threads;
    o["prefetched"] = w.report.prefetched;
    o["in_flight"] = e.in_flight;
    o["waiting"] = waiting;
    o["computing"] = e.in_flight - waiting;
    o["succeeded"] = e.succeeded;
    o["failed"] = e.failed;
    o["partner_connections_opened"] = e.partner_connections_opened;
    o["partner_calls_reused"] = e.partner_calls_reused;
    o["partner_tls_sessions_resumed"] = e.partner_sessions_resumed;
    boost::json::object calls;
    for (const auto& [partner, n] : e.partner_calls_in_flight) calls[partner] = n;
    o["partner_calls_in_flight"] = std::move(calls);
    return o;
}

boost::json::object member_json(const engine::cluster::member_view& m) {
    const auto& r = m.report;
    const auto& e = r.executors.executors;
    boost::json::object o;
    o["name"] = r.name;
    o["kind"] = r.kind;
    o["state"] = m.state;
    o["host"] = r.host;
    o["heard_ms_ago"] = m.heard_ms_ago;
    o["started_ms"] = r.started_ms;
    o["threads"] = r.executors.threads;
    o["in_flight"] = e.in_flight;
    o["waiting"] = std::min(e.waiting, e.in_flight);
    o["succeeded"] = e.succeeded;
    o["failed"] = e.failed;
    if (r.kind == "node") {
        o["outbox"] = r.outbox;
        o["outcomes_followed"] = r.outcomes_followed;
    }
    return o;
}

}  // namespace

boost::asio::awaitable<response> list_nodes(routed_request r) {
    auto members = co_await r.svc.gateway->cluster_members();
    if (!members) {
        co_return error_response(http::status::not_found, "not_clustered",
                                 "this server runs alone (embedded mode): start it with "
                                 "--cluster to see a cluster's nodes",
                                 r.req);
    }
    if (!*members) {
        co_return error_response(
            http::status::service_unavailable, "cluster_unavailable",
            "the cluster did not say who is in it: " + members->error().message(), r.req);
    }
    boost::json::array list;
    for (const auto& m : **members) list.push_back(member_json(m));
    boost::json::object body;
    body["nodes"] = std::move(list);
    co_return json_response(http::status::ok, boost::json::serialize(body), r.req.version(),
                            r.req.keep_alive());
}

response list_workers(const routed_request& r) {
    boost::json::array workers;
    for (const auto& w : r.svc.gateway->stats().workers) workers.push_back(worker_json(w));
    boost::json::object body;
    body["workers"] = std::move(workers);
    return json_response(http::status::ok, boost::json::serialize(body), r.req.version(),
                         r.req.keep_alive());
}

}  // namespace ferry::ingress
