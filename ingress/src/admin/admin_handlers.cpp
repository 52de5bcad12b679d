#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <map>

#include "admin/admin_api.hpp"
#include "admin/execution_json.hpp"
#include "ferry/engine/intake/request_properties.hpp"
#include "ferry/profiles/utf8.hpp"
#include "ferry/store/error.hpp"
#include "http/responses.hpp"
#include "version.hpp"

namespace ferry::ingress {
namespace {

std::string_view state_name(server_state s) {
    switch (s) {
        case server_state::starting:
            return "starting";
        case server_state::listening:
            return "listening";
        case server_state::draining:
            return "draining";
    }
    return "unknown";
}

// A Prometheus label value: backslash, double quote and newline escaped.
std::string label_value(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\' || c == '"') out += '\\';
        out += c == '\n' ? std::string_view("\\n") : std::string_view(&c, 1);
    }
    return out;
}

void metric_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

// `name{labels} value\n`; counters print as integers.
void metric_line(std::string& out, std::string_view name, std::string_view labels, double value) {
    char number[32];
    std::snprintf(number, sizeof number, "%.9g", value);
    out += name;
    out += labels;
    out += ' ';
    out += number;
    out += '\n';
}

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            double value) {
    metric_header(out, name, type, help);
    metric_line(out, name, "", value);
}

// One metric with a series per worker process (label worker="<id>").
template <class Value>
void per_worker(std::string& out, const std::vector<engine::worker_view>& workers,
                std::string_view name, std::string_view type, std::string_view help, Value value) {
    metric_header(out, name, type, help);
    for (const auto& w : workers) {
        metric_line(out, name, "{worker=\"" + label_value(w.report.id) + "\"}",
                    static_cast<double>(value(w)));
    }
}

// What each remote worker process reported with its last heartbeat.
void worker_metrics(std::string& out, const std::vector<engine::worker_view>& workers) {
    using view = engine::worker_view;
    per_worker(out, workers, "ferry_worker_heard_seconds_ago", "gauge",
               "Seconds since the worker process was last heard from",
               [](const view& w) { return static_cast<double>(w.heard_ms_ago) / 1000; });
    per_worker(out, workers, "ferry_worker_executions_leased", "gauge",
               "Executions this server has out on the worker (received, running or on their way)",
               [](const view& w) { return w.leased; });
    per_worker(out, workers, "ferry_worker_executions_prefetched", "gauge",
               "Executions the worker received and has not started yet",
               [](const view& w) { return w.report.prefetched; });
    per_worker(out, workers, "ferry_worker_executions_in_flight", "gauge",
               "Executions the worker's executor loops hold, computing or waiting",
               [](const view& w) { return w.report.executors.in_flight; });
    per_worker(out, workers, "ferry_worker_executions_waiting", "gauge",
               "Of those, executions that wait (on a partner's answer, a pause between attempts)",
               [](const view& w) {
                   return std::min(w.report.executors.waiting, w.report.executors.in_flight);
               });
    per_worker(out, workers, "ferry_worker_executions_succeeded_total", "counter",
               "Executions the worker ran that succeeded (since it started)",
               [](const view& w) { return w.report.executors.succeeded; });
    per_worker(out, workers, "ferry_worker_executions_failed_total", "counter",
               "Executions the worker ran that failed (since it started)",
               [](const view& w) { return w.report.executors.failed; });
    per_worker(out, workers, "ferry_worker_partner_connections_opened_total", "counter",
               "Connections the worker's http_call steps opened to partners",
               [](const view& w) { return w.report.executors.partner_connections_opened; });
    per_worker(out, workers, "ferry_worker_partner_calls_reused_total", "counter",
               "The worker's http_call requests sent over a kept-alive connection",
               [](const view& w) { return w.report.executors.partner_calls_reused; });
    per_worker(out, workers, "ferry_worker_partner_tls_sessions_resumed_total", "counter",
               "The worker's TLS connections to partners that resumed an earlier session",
               [](const view& w) { return w.report.executors.partner_sessions_resumed; });
    out +=
        "# HELP ferry_worker_partner_calls_in_flight The worker's http_call requests in flight "
        "per partner\n"
        "# TYPE ferry_worker_partner_calls_in_flight gauge\n";
    for (const auto& w : workers) {
        for (const auto& [partner, calls] : w.report.executors.partner_calls_in_flight) {
            out += "ferry_worker_partner_calls_in_flight{worker=\"" + label_value(w.report.id) +
                   "\",partner=\"" + label_value(partner) + "\"} " + std::to_string(calls) + "\n";
        }
    }
}

}  // namespace

response status(const routed_request& r) {
    const auto& req = r.req;
    const auto& svc = r.svc;
    const auto state = svc.state.load();
    boost::json::object body;
    body["status"] = state_name(state);
    body["version"] = ferry_version();
    // Still 200 while the store refuses writes: reads are served, and only a post that
    // succeeds ends the refusal, so a balancer that dropped the node would keep it refusing.
    body["store"] = svc.gateway->refusing_writes() ? "refusing_writes" : "ok";
    return json_response(
        state == server_state::listening ? http::status::ok : http::status::service_unavailable,
        boost::json::serialize(body), req.version(), req.keep_alive());
}

boost::asio::awaitable<response> show_execution(routed_request r) {
    const auto& req = r.req;
    const auto& id = r.param("id");
    auto& svc = r.svc;
    const auto record = co_await svc.gateway->execution(id);
    if (!record) {
        if (record.error() == store::errc::not_found) {
            co_return error_response(http::status::not_found, "unknown_execution",
                                     "no execution has the id '" + id + "'", req);
        }
        if (record.error() == store::errc::corrupt_record) {
            co_return error_response(http::status::internal_server_error, "damaged_record",
                                     "the stored record of execution '" + id +
                                         "' is damaged: it does not decode, or its block fails "
                                         "its checksum (ferry check lists every damaged record)",
                                     req);
        }
        co_return error_response(http::status::internal_server_error, "storage_error",
                                 "the execution could not be read: " + record.error().message(),
                                 req);
    }
    auto body = execution_summary(*record);
    boost::json::array docs;
    for (const auto& doc : record->document_ids) docs.emplace_back(doc);
    body["documents"] = std::move(docs);
    boost::json::object props;
    for (const auto& [key, value] : record->process_props)
        props[profiles::as_utf8(key)] = profiles::as_utf8(value);
    body["properties"] = std::move(props);
    body["debug"] = record->debug;
    boost::json::array trace;
    for (const auto& t : record->trace) {
        boost::json::object step;
        step["step"] = t.step;
        step["kind"] = t.kind;
        step["documents_in"] = t.documents_in;
        step["documents_out"] = t.documents_out;
        step["documents_failed"] = t.documents_failed;
        step["started_at"] = timestamp(t.started_ms);
        step["micros"] = t.micros;
        step["error"] = t.error.empty() ? boost::json::value(nullptr) : boost::json::value(t.error);
        boost::json::array outputs;
        for (const auto& id : t.output_ids) outputs.emplace_back(id);
        step["output_documents"] = std::move(outputs);
        trace.push_back(std::move(step));
    }
    body["trace"] = std::move(trace);
    body["untraced_steps"] = record->untraced_steps;
    co_return json_response(http::status::ok, boost::json::serialize(body), req.version(),
                            req.keep_alive());
}

// A document of the execution (request document or stored step output) with its properties.
// The payload is `data` when it is UTF-8 text, else `data_base64` (JSON strings are text).
boost::asio::awaitable<response> show_execution_document(routed_request r) {
    const auto& req = r.req;
    const auto& execution_id = r.param("id");
    const auto& document_id = r.param("document");
    auto& svc = r.svc;
    // Only documents that belong to this execution: ids start with "<execution id>-".
    if (!document_id.starts_with(execution_id + "-")) {
        co_return error_response(
            http::status::not_found, "unknown_document",
            "execution '" + execution_id + "' has no document '" + document_id + "'", req);
    }
    const auto doc = co_await svc.gateway->document(document_id);
    if (!doc) {
        if (doc.error() == store::errc::not_found) {
            co_return error_response(http::status::not_found, "unknown_document",
                                     "execution '" + execution_id + "' has no stored document '" +
                                         document_id + "' (bridge mode keeps no step outputs)",
                                     req);
        }
        if (doc.error() == store::errc::corrupt_record) {
            co_return error_response(http::status::internal_server_error, "damaged_record",
                                     "the stored document '" + document_id +
                                         "' is damaged: it does not decode, or its block fails "
                                         "its checksum (ferry check lists every damaged record)",
                                     req);
        }
        co_return error_response(http::status::internal_server_error, "storage_error",
                                 "the document could not be read: " + doc.error().message(), req);
    }
    boost::json::object body;
    body["id"] = document_id;
    body["execution_id"] = execution_id;
    boost::json::object props;
    for (const auto& [key, value] : doc->props)
        props[profiles::as_utf8(key)] = profiles::as_utf8(value);
    body["properties"] = std::move(props);
    body["size"] = doc->data.size();
    if (profiles::valid_utf8(doc->data)) {
        body["data"] = doc->data;
    } else {
        body["data_base64"] = engine::base64_encode(doc->data);
    }
    co_return json_response(http::status::ok, boost::json::serialize(body), req.version(),
                            req.keep_alive());
}

namespace {

// Cluster mode: the whole cluster as this node last read it (docs/admin-api.md, "Metrics").
void cluster_metrics(std::string& out, const engine::engine_stats& stats) {
    if (!stats.cluster) return;
    const auto& view = *stats.cluster;
    metric(out, "ferry_cluster_outbox", "gauge",
           "Executions in this node's outbox (kept until the cluster surely flushed them)",
           static_cast<double>(stats.outbox));
    metric(out, "ferry_cluster_outcomes_followed_total", "counter",
           "The cluster's outcomes this node wrote into its history",
           static_cast<double>(stats.outcomes_followed));
    metric(out, "ferry_cluster_view_ok", "gauge",
           "1 when the cluster answered this node's last look (the figures below are fresh)",
           view.read ? 1 : 0);
    if (!view.read) return;
    metric(out, "ferry_cluster_executions_queued", "gauge",
           "Executions in the cluster's work stream not claimed yet",
           static_cast<double>(view.queued));
    metric(out, "ferry_cluster_executions_leased", "gauge",
           "Executions claimed by an executor of the cluster and not finished yet",
           static_cast<double>(view.leased));
    std::map<std::pair<std::string, std::string>, int> counts;  // (kind, state)
    for (const auto& m : view.members) ++counts[{m.report.kind, m.state}];
    out +=
        "# HELP ferry_cluster_members Nodes and workers of the cluster by state\n"
        "# TYPE ferry_cluster_members gauge\n";
    for (const auto& [key, n] : counts) {
        out += "ferry_cluster_members{kind=\"" + key.first + "\",state=\"" + key.second + "\"} " +
               std::to_string(n) + "\n";
    }
    const auto per_member = [&](const char* name, const char* type, const char* help, auto value) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
        for (const auto& m : view.members) {
            out += std::string(name) + "{kind=\"" + m.report.kind + "\",member=\"" +
                   label_value(m.report.name) + "\"} " + std::to_string(value(m.report)) + "\n";
        }
    };
    using report = engine::cluster::member_report;
    per_member("ferry_cluster_member_executions_succeeded_total", "counter",
               "Executions a member's executors ran that succeeded (since it started)",
               [](const report& r) { return r.executors.executors.succeeded; });
    per_member("ferry_cluster_member_executions_failed_total", "counter",
               "Executions a member's executors ran that failed (since it started)",
               [](const report& r) { return r.executors.executors.failed; });
    per_member("ferry_cluster_member_executions_in_flight", "gauge",
               "Executions a member's executors hold, computing or waiting",
               [](const report& r) { return r.executors.executors.in_flight; });
    per_member("ferry_cluster_member_outbox", "gauge", "Executions in a node's outbox",
               [](const report& r) { return r.outbox; });
}

}  // namespace

response metrics(const routed_request& r) {
    const auto& req = r.req;
    const auto& svc = r.svc;
    const auto stats = svc.gateway->stats();
    std::string out;
    for (int c = 1; c <= 5; ++c) {
        out += "ferry_http_responses_total{class=\"" + std::to_string(c) + "xx\"} " +
               std::to_string(svc.counters.by_class[c].load()) + "\n";
    }
    out =
        "# HELP ferry_http_responses_total HTTP responses by status class\n"
        "# TYPE ferry_http_responses_total counter\n" +
        out;
    metric(out, "ferry_intake_batches_total", "counter", "Group commits (one fsync each)",
           static_cast<double>(stats.intake.batches));
    metric(out, "ferry_intake_requests_total", "counter", "Requests made durable by the intake",
           static_cast<double>(stats.intake.requests));
    metric(out, "ferry_intake_largest_batch", "gauge", "Most requests in one group commit",
           static_cast<double>(stats.intake.largest_batch));
    metric(out, "ferry_intake_failed_batches_total", "counter", "Group commits that failed",
           static_cast<double>(stats.intake.failed_batches));
    metric(out, "ferry_store_fsyncs_total", "counter", "RocksDB writes with a synced WAL",
           static_cast<double>(stats.store.synced_writes));
    metric(out, "ferry_store_fsync_seconds_total", "counter", "Time spent in synced writes",
           static_cast<double>(stats.store.sync_micros) / 1e6);
    metric(out, "ferry_documents_committed_total", "counter", "Documents stored by the intake",
           static_cast<double>(stats.store.documents_committed));
    metric(out, "ferry_store_refusing_writes", "gauge",
           "1 while the last group commit failed (disk full, I/O error): posts are answered 507",
           stats.intake.refusing_writes ? 1 : 0);
    metric(out, "ferry_store_disk_free_bytes", "gauge",
           "Bytes free to ferry on the data directory's file system",
           static_cast<double>(stats.disk_free_bytes));
    metric(out, "ferry_executions_succeeded_total", "counter", "Executions that succeeded",
           static_cast<double>(stats.executor.succeeded));
    metric(out, "ferry_executions_failed_total", "counter", "Executions that failed",
           static_cast<double>(stats.executor.failed));
    metric(out, "ferry_remote_workers", "gauge",
           "Remote worker processes heard from within the lease timeout",
           static_cast<double>(stats.remote_workers));
    metric(out, "ferry_tls_handshake_failures_total", "counter",
           "HTTPS connections closed because their TLS handshake failed or timed out",
           static_cast<double>(svc.counters.tls_handshake_failures.load()));
    metric(out, "ferry_executions_refused_total", "counter",
           "Synchronous calls refused (503) at an operation's concurrent-execution limit",
           static_cast<double>(svc.gateway->executions_refused()));
    metric(out, "ferry_executions_running", "gauge", "Executions running on local executors",
           static_cast<double>(stats.executor.running));
    metric(out, "ferry_executions_in_flight", "gauge",
           "Executions the local executors hold, computing or waiting (on a partner, a pause)",
           static_cast<double>(stats.executor.in_flight));
    // Read apart from in_flight: a pair read a moment apart may cross; never below zero.
    const auto waiting = std::min(stats.executor.waiting, stats.executor.in_flight);
    metric(out, "ferry_executions_waiting", "gauge",
           "Executions in flight that wait (on a partner's answer, a pause between attempts)",
           static_cast<double>(waiting));
    metric(out, "ferry_executions_computing", "gauge",
           "Executions in flight that do not wait: computing, or ready to on an executor thread",
           static_cast<double>(stats.executor.in_flight - waiting));
    metric(out, "ferry_partner_connections_opened_total", "counter",
           "Connections http_call steps opened to partners",
           static_cast<double>(stats.executor.partner_connections_opened));
    metric(out, "ferry_partner_calls_reused_total", "counter",
           "http_call requests sent over a kept-alive connection",
           static_cast<double>(stats.executor.partner_calls_reused));
    metric(out, "ferry_partner_tls_sessions_resumed_total", "counter",
           "TLS connections to partners that resumed an earlier session",
           static_cast<double>(stats.executor.partner_sessions_resumed));
    out +=
        "# HELP ferry_partner_calls_in_flight http_call requests in flight per partner\n"
        "# TYPE ferry_partner_calls_in_flight gauge\n";
    for (const auto& [partner, calls] : stats.executor.partner_calls_in_flight) {
        out += "ferry_partner_calls_in_flight{partner=\"" + label_value(partner) + "\"} " +
               std::to_string(calls) + "\n";
    }
    worker_metrics(out, stats.workers);
    cluster_metrics(out, stats);
    metric(out, "ferry_executions_queued", "gauge",
           "Executions stored and waiting for an executor (the queue depth)",
           static_cast<double>(stats.backlog));
    metric(out, "ferry_queue_redeliveries_waiting", "gauge",
           "Failed queue deliveries waiting for their redelivery time",
           static_cast<double>(stats.delayed_redeliveries));
    metric(out, "ferry_retention_sweeps_total", "counter", "Retention sweeps run",
           static_cast<double>(stats.retention_sweeps));
    out +=
        "# HELP ferry_intake_batch_requests Requests per group commit\n"
        "# TYPE ferry_intake_batch_requests histogram\n";
    append_histogram(out, "ferry_intake_batch_requests", "", stats.intake.batch_sizes);
    out +=
        "# HELP ferry_store_fsync_seconds Time of each WAL fsync of a group commit\n"
        "# TYPE ferry_store_fsync_seconds histogram\n";
    append_histogram(out, "ferry_store_fsync_seconds", "", stats.store.sync_seconds);
    svc.requests.render(out);
    svc.deprecated.render(out);
    response res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(out);
    res.prepare_payload();
    return res;
}

}  // namespace ferry::ingress
