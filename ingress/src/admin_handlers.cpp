#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>

#include "ferry/engine/message_template.hpp"
#include "ferry/store/error.hpp"
#include "handlers.hpp"
#include "responses.hpp"

namespace ferry::ingress {
namespace {

boost::json::value timestamp(std::int64_t ms) {
    if (ms == 0) return nullptr;
    return boost::json::value(engine::format_date(ms, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"));
}

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

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            double value) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    char number[32];
    std::snprintf(number, sizeof number, "%.9g", value);  // counters print as integers
    out += name;
    out += ' ';
    out += number;
    out += '\n';
}

}  // namespace

response handle_status(const request& req, const service& svc) {
    const auto state = svc.state.load();
    boost::json::object body;
    body["status"] = state_name(state);
    return json_response(
        state == server_state::listening ? http::status::ok : http::status::service_unavailable,
        boost::json::serialize(body), req.version(), req.keep_alive());
}

boost::asio::awaitable<response> handle_execution(request req, std::string id, service& svc) {
    const auto record = co_await svc.gateway->execution(id);
    if (!record) {
        if (record.error() == store::errc::not_found) {
            co_return error_response(http::status::not_found, "unknown_execution",
                                     "no execution has the id '" + id + "'", req);
        }
        co_return error_response(http::status::internal_server_error, "storage_error",
                                 "the execution could not be read: " + record.error().message(),
                                 req);
    }
    boost::json::object body;
    body["id"] = record->id;
    body["process"] = record->process;
    body["process_version"] = record->process_version;
    body["state"] = store::to_string(record->state);
    body["created_at"] = timestamp(record->created_ms);
    body["started_at"] = timestamp(record->started_ms);
    body["finished_at"] = timestamp(record->finished_ms);
    body["attempts"] = record->attempts;
    boost::json::array docs;
    for (const auto& doc : record->document_ids) docs.emplace_back(doc);
    body["documents"] = std::move(docs);
    body["error"] =
        record->error.empty() ? boost::json::value(nullptr) : boost::json::value(record->error);
    co_return json_response(http::status::ok, boost::json::serialize(body), req.version(),
                            req.keep_alive());
}

response handle_metrics(const request& req, const service& svc) {
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
    metric(out, "ferry_executions_succeeded_total", "counter", "Executions that succeeded",
           static_cast<double>(stats.executor.succeeded));
    metric(out, "ferry_executions_failed_total", "counter", "Executions that failed",
           static_cast<double>(stats.executor.failed));
    response res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(out);
    res.prepare_payload();
    return res;
}

}  // namespace ferry::ingress
