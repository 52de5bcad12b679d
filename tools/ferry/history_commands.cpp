// `ferry status`, `ferry executions`, `ferry show`: the execution history over the admin API.
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <variant>

#include "admin_client.hpp"
#include "commands.hpp"

namespace ferry::tools {
namespace {
namespace json = boost::json;

struct list_options {
    admin_connection connection;
    std::string process;
    std::string state;
    std::string since;
    std::string until;
    std::string error;
    std::size_t limit = 50;
    bool all = false;
    std::string id;  // show
};

std::string duration(const json::value& v) {
    if (!v.is_int64() && !v.is_uint64()) return "-";
    const auto ms = v.to_number<std::int64_t>();
    char out[32];
    if (ms < 1000) {
        std::snprintf(out, sizeof out, "%lldms", static_cast<long long>(ms));
    } else {
        std::snprintf(out, sizeof out, "%.1fs", static_cast<double>(ms) / 1000);
    }
    return out;
}

int status(const list_options& o) {
    std::string error;
    const auto reply = admin_request(o.connection, "GET", "/_admin/status", &error);
    if (!reply) {
        std::fprintf(stderr, "ferry: %s\n", error.c_str());
        return 2;
    }
    boost::system::error_code ec;
    const auto body = json::parse(reply->body, ec);
    const auto* fields = !ec && body.is_object() ? &body.as_object() : nullptr;
    const auto* state = fields ? fields->if_contains("status") : nullptr;
    const auto* store = fields ? fields->if_contains("store") : nullptr;
    const bool refusing_writes = store && json_text(*store) == "refusing_writes";
    if (o.connection.json) {
        std::printf("%s\n", reply->body.c_str());
    } else {
        std::printf("%s %s%s\n", o.connection.server.c_str(),
                    state ? json_text(*state).c_str() : reply->body.c_str(),
                    refusing_writes ? " (the store refuses writes: posts are answered 507)" : "");
    }
    return reply->status == 200 && !refusing_writes ? 0 : 1;
}

int executions(const list_options& o) {
    std::string query = "?limit=" + std::to_string(o.limit);
    if (!o.process.empty()) query += "&process=" + url_encoded(o.process);
    if (!o.state.empty()) query += "&state=" + url_encoded(o.state);
    if (!o.since.empty()) query += "&from=" + url_encoded(o.since);
    if (!o.until.empty()) query += "&to=" + url_encoded(o.until);
    if (!o.error.empty()) query += "&error=" + url_encoded(o.error);
    json::array rows;
    std::string cursor;
    do {
        auto page =
            admin_json(o.connection, "GET",
                       "/_admin/executions" + query + (cursor.empty() ? "" : "&cursor=" + cursor));
        if (auto* code = std::get_if<int>(&page)) return *code;
        const auto& body = std::get<json::value>(page).as_object();
        for (const auto& e : body.at("executions").as_array()) rows.push_back(e);
        cursor = body.at("next_cursor").is_string() ? json_text(body.at("next_cursor")) : "";
        // Without --all one page, unless the scan limit cut it short before it was full.
    } while (!cursor.empty() && (o.all || rows.size() < o.limit));
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(rows).c_str());
        return 0;
    }
    std::printf("%-24s  %-20s  %-9s  %-19s  %7s  %5s  %s\n", "ID", "PROCESS", "STATE", "CREATED",
                "TOOK", "DOCS", "ERROR");
    for (const auto& row : rows) {
        const auto& e = row.as_object();
        std::printf("%-24s  %-20s  %-9s  %-19s  %7s  %5s  %s\n", json_text(e.at("id")).c_str(),
                    clipped(json_text(e.at("process")), 20).c_str(),
                    json_text(e.at("state")).c_str(), short_time(e.at("created_at")).c_str(),
                    duration(e.at("duration_ms")).c_str(),
                    json_text(e.at("document_count")).c_str(),
                    clipped(json_text(e.at("error")), 60).c_str());
    }
    if (!cursor.empty() && !o.all) {
        std::fprintf(stderr, "ferry: more executions match; --all lists them all\n");
    }
    return 0;
}

int show(const list_options& o) {
    auto got = admin_json(o.connection, "GET", "/_admin/executions/" + url_encoded(o.id));
    if (auto* code = std::get_if<int>(&got)) return *code;
    const auto& e = std::get<json::value>(got).as_object();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(e).c_str());
        return 0;
    }
    std::printf("execution  %s\n", json_text(e.at("id")).c_str());
    std::printf("process    %s (version %s)\n", json_text(e.at("process")).c_str(),
                json_text(e.at("process_version")).c_str());
    std::printf("state      %s\n", json_text(e.at("state")).c_str());
    std::printf("created    %s\n", json_text(e.at("created_at")).c_str());
    std::printf("started    %s\n", json_text(e.at("started_at")).c_str());
    std::printf("finished   %s\n", json_text(e.at("finished_at")).c_str());
    std::printf("took       %s\n", duration(e.at("duration_ms")).c_str());
    std::printf("attempts   %s\n", json_text(e.at("attempts")).c_str());
    std::printf("documents  %s\n", json_text(e.at("document_count")).c_str());
    if (!e.at("error").is_null()) std::printf("error      %s\n", json_text(e.at("error")).c_str());
    const auto& trace = e.at("trace").as_array();
    if (!trace.empty()) {
        std::printf("\n%-20s  %-12s  %6s  %6s  %6s  %9s  %s\n", "STEP", "KIND", "IN", "OUT",
                    "FAILED", "MICROS", "ERROR");
        for (const auto& row : trace) {
            const auto& t = row.as_object();
            std::printf("%-20s  %-12s  %6s  %6s  %6s  %9s  %s\n",
                        clipped(json_text(t.at("step")), 20).c_str(),
                        json_text(t.at("kind")).c_str(), json_text(t.at("documents_in")).c_str(),
                        json_text(t.at("documents_out")).c_str(),
                        json_text(t.at("documents_failed")).c_str(),
                        json_text(t.at("micros")).c_str(), json_text(t.at("error")).c_str());
        }
    }
    return 0;
}

void run(int (*command)(const list_options&), const list_options& o) {
    const int code = command(o);
    if (code != 0) throw CLI::RuntimeError(code);
}

}  // namespace

void add_history_commands(CLI::App& app) {
    auto o = std::make_shared<list_options>();

    auto* status_cmd = app.add_subcommand("status",
                                          "Whether a server is listening (exit 0) or "
                                          "starting/draining (exit 1)");
    add_connection_options(status_cmd, o->connection);
    status_cmd->callback([o] { run(status, *o); });

    auto* list = app.add_subcommand("executions", "List executions, newest first");
    add_connection_options(list, o->connection);
    list->add_option("--process", o->process, "Only this process");
    list->add_option("--state", o->state, "Only this state")
        ->check(CLI::IsMember({"queued", "running", "succeeded", "failed", "cancelled"}));
    list->add_option("--since", o->since,
                     "Created at or after: ISO 8601 UTC (2026-11-24, 2026-11-24T10:00:00Z) or "
                     "ms since the epoch");
    list->add_option("--until", o->until, "Created before (same forms as --since)");
    list->add_option("--error", o->error, "Only executions whose error contains this text");
    list->add_option("--limit", o->limit, "Executions per page (1-1000)")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    list->add_flag("--all", o->all, "Every matching execution, page after page");
    list->callback([o] { run(executions, *o); });

    auto* show_cmd = app.add_subcommand("show",
                                        "Show one execution: times, state, error and "
                                        "the trace of its steps");
    add_connection_options(show_cmd, o->connection);
    show_cmd->add_option("id", o->id, "Execution id")->required();
    show_cmd->callback([o] { run(show, *o); });
}

}  // namespace ferry::tools
