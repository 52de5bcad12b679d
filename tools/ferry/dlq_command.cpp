// `ferry queues` and `ferry dlq list|show|resend|clear`: internal queues and their dead letters
// over the admin API (docs/cli.md).
#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <variant>

#include "admin_client.hpp"
#include "commands.hpp"

namespace ferry::tools {
namespace {
namespace json = boost::json;

struct dlq_options {
    admin_connection connection;
    std::string queue;
    bool all = false;
    std::size_t limit = 100;
    std::vector<std::string> ids;
};

std::string joined(const json::value& list) {
    std::string out;
    for (const auto& v : list.as_array()) out += (out.empty() ? "" : ",") + json_text(v);
    return out.empty() ? "-" : out;
}

int queues(const dlq_options& o) {
    auto answer = admin_json(o.connection, "GET", "/_admin/queues");
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& body = std::get<json::value>(answer).as_object();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(body).c_str());
        return 0;
    }
    std::printf("%-20s  %-24s  %-24s  %7s  %12s\n", "QUEUE", "LISTENERS", "SENDERS", "PARKED",
                "DEAD LETTERS");
    for (const auto& row : body.at("queues").as_array()) {
        const auto& q = row.as_object();
        auto listeners = joined(q.at("listeners"));
        if (!q.at("paused").as_array().empty())
            listeners += " (paused: " + joined(q.at("paused")) + ")";
        std::printf("%-20s  %-24s  %-24s  %7s  %12s\n", json_text(q.at("queue")).c_str(),
                    listeners.c_str(), joined(q.at("senders")).c_str(),
                    json_text(q.at("parked")).c_str(), json_text(q.at("dead_letters")).c_str());
    }
    std::printf("%s redeliveries waiting for their time\n",
                json_text(body.at("delayed_redeliveries")).c_str());
    return 0;
}

int list(const dlq_options& o) {
    json::array letters;
    std::string cursor;
    do {
        std::string target = "/_admin/dead-letters?limit=" +
                             std::to_string(std::min<std::size_t>(o.limit - letters.size(), 1000));
        if (!o.queue.empty()) target += "&queue=" + url_encoded(o.queue);
        if (!cursor.empty()) target += "&cursor=" + url_encoded(cursor);
        auto answer = admin_json(o.connection, "GET", target);
        if (const auto* code = std::get_if<int>(&answer)) return *code;
        auto& page = std::get<json::value>(answer).as_object();
        for (auto& letter : page.at("dead_letters").as_array()) letters.push_back(letter);
        cursor = json_text(page.at("next_cursor"));
    } while (!cursor.empty() && letters.size() < o.limit);
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(letters).c_str());
        return 0;
    }
    std::printf("%-24s  %-16s  %-20s  %10s  %-19s  %s\n", "ID", "QUEUE", "PROCESS", "DELIVERIES",
                "DEAD AT", "ERROR");
    for (const auto& row : letters) {
        const auto& l = row.as_object();
        const auto* process = l.if_contains("process");
        std::printf("%-24s  %-16s  %-20s  %10s  %-19s  %s\n", json_text(l.at("id")).c_str(),
                    clipped(json_text(l.at("queue")), 16).c_str(),
                    process ? clipped(json_text(*process), 20).c_str() : "(deleted)",
                    l.if_contains("deliveries") ? json_text(l.at("deliveries")).c_str() : "-",
                    short_time(l.at("dead_at")).c_str(),
                    l.if_contains("error") ? json_text(l.at("error")).c_str() : "");
    }
    if (!cursor.empty()) std::printf("(more: --limit to see further)\n");
    return 0;
}

int show(const dlq_options& o) {
    auto answer =
        admin_json(o.connection, "GET", "/_admin/dead-letters/" + url_encoded(o.ids.front()));
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& l = std::get<json::value>(answer).as_object();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(l).c_str());
        return 0;
    }
    std::printf("dead letter  %s\nqueue        %s\ndead at      %s\n",
                json_text(l.at("id")).c_str(), json_text(l.at("queue")).c_str(),
                short_time(l.at("dead_at")).c_str());
    if (!l.if_contains("process")) {
        std::printf("execution    deleted by retention; `ferry dlq clear` removes the entry\n");
        return 0;
    }
    std::printf("process      %s version %s\nsent by      %s\ndocuments    %s\nerror        %s\n",
                json_text(l.at("process")).c_str(), json_text(l.at("process_version")).c_str(),
                json_text(l.at("sent_by")).c_str(), json_text(l.at("document_count")).c_str(),
                json_text(l.at("error")).c_str());
    std::printf("\n%8s  %-24s  %-19s  %-9s  %s\n", "DELIVERY", "EXECUTION", "STARTED", "STATE",
                "ERROR");
    for (const auto& row : l.at("delivery_history").as_array()) {
        const auto& e = row.as_object();
        std::printf("%8s  %-24s  %-19s  %-9s  %s\n",
                    json_text(e.at("queue").at("delivery")).c_str(), json_text(e.at("id")).c_str(),
                    short_time(e.at("started_at")).c_str(), json_text(e.at("state")).c_str(),
                    json_text(e.at("error")).c_str());
    }
    std::printf(
        "\n`ferry show ID` shows a delivery's trace; `ferry dlq resend %s` delivers it again\n",
        json_text(l.at("id")).c_str());
    return 0;
}

// Named letters one by one, or a whole queue (or every queue) in server-side batches.
int act(const dlq_options& o, bool resend) {
    if (o.ids.empty() == (o.queue.empty() && !o.all) || (!o.queue.empty() && o.all)) {
        std::fprintf(stderr, "ferry: name dead letters by id, or --queue NAME, or --all\n");
        return 1;
    }
    int worst = 0;
    json::array results;
    for (const auto& id : o.ids) {
        auto answer =
            resend ? admin_json(o.connection, "POST",
                                "/_admin/dead-letters/" + url_encoded(id) + "/resend", {202})
                   : admin_json(o.connection, "DELETE", "/_admin/dead-letters/" + url_encoded(id));
        if (const auto* code = std::get_if<int>(&answer)) {
            worst = std::max(worst, *code);
            continue;
        }
        const auto& r = std::get<json::value>(answer).as_object();
        if (o.connection.json) {
            results.push_back(r);
        } else if (resend) {
            std::printf("%s resent as execution %s\n", id.c_str(),
                        json_text(r.at("execution_id")).c_str());
        } else {
            std::printf("%s cleared\n", id.c_str());
        }
    }
    if (o.ids.empty()) {
        const auto scope = o.all ? std::string("all=true") : "queue=" + url_encoded(o.queue);
        std::uint64_t done = 0;
        for (;;) {
            auto answer =
                resend ? admin_json(o.connection, "POST", "/_admin/dead-letters/resend?" + scope)
                       : admin_json(o.connection, "DELETE", "/_admin/dead-letters?" + scope);
            if (const auto* code = std::get_if<int>(&answer)) return *code;
            const auto& r = std::get<json::value>(answer).as_object();
            done += r.at(resend ? "resent" : "cleared").to_number<std::uint64_t>();
            if (resend) {
                for (const auto& f : r.at("refused").as_array()) {
                    worst = std::max(worst, 1);
                    if (o.connection.json) {
                        results.push_back(f);
                    } else {
                        std::printf("%s not resent: %s\n", json_text(f.at("id")).c_str(),
                                    json_text(f.at("detail")).c_str());
                    }
                }
            }
            if (!r.at("more").as_bool()) break;
        }
        if (o.connection.json) {
            json::object summary{{resend ? "resent" : "cleared", done}};
            if (resend) summary["refused"] = results;
            std::printf("%s\n", json::serialize(summary).c_str());
            return worst;
        }
        std::printf("%s %llu dead letter%s%s\n", resend ? "resent" : "cleared",
                    static_cast<unsigned long long>(done), done == 1 ? "" : "s",
                    o.all ? "" : (" of queue " + o.queue).c_str());
        return worst;
    }
    if (o.connection.json) std::printf("%s\n", json::serialize(results).c_str());
    return worst;
}

}  // namespace

void add_dlq_commands(CLI::App& app) {
    auto o = std::make_shared<dlq_options>();

    auto* queues_cmd = app.add_subcommand(
        "queues",
        "List internal queues: who listens, who sends, messages parked for want of a "
        "listener, dead letters");
    add_connection_options(queues_cmd, o->connection);
    queues_cmd->callback([o] { fail_with(queues(*o)); });

    auto* dlq = app.add_subcommand(
        "dlq",
        "Dead letters: queue messages whose every delivery failed (list, show, resend, "
        "clear); `ferry dlq` alone lists them");
    dlq->require_subcommand(0, 1);
    add_connection_options(dlq, o->connection);
    dlq->add_option("--queue", o->queue, "Only this queue's dead letters");
    dlq->add_option("--limit", o->limit, "List at most this many")->capture_default_str();

    auto* list_cmd = dlq->add_subcommand("list", "List dead letters, oldest first");
    add_connection_options(list_cmd, o->connection);
    list_cmd->add_option("--queue", o->queue, "Only this queue's dead letters");
    list_cmd->add_option("--limit", o->limit, "List at most this many")->capture_default_str();
    list_cmd->callback([o] { fail_with(list(*o)); });

    auto* show_cmd = dlq->add_subcommand(
        "show", "Show one dead letter: its queue, error and every delivery that failed");
    add_connection_options(show_cmd, o->connection);
    show_cmd->add_option("id", o->ids, "Dead letter id (the execution of its last delivery)")
        ->required()
        ->expected(1);
    show_cmd->callback([o] { fail_with(show(*o)); });

    const std::pair<const char*, const char*> actions[] = {
        {"resend",
         "Deliver dead letters again (a first delivery, redeliveries ahead) to the "
         "process they failed in, and remove them from the dead letters"},
        {"clear", "Remove dead letters for good (their executions stay in the history)"},
    };
    for (const auto& [action, help] : actions) {
        auto* cmd = dlq->add_subcommand(action, help);
        add_connection_options(cmd, o->connection);
        cmd->add_option("ids", o->ids, "Dead letter ids");
        cmd->add_option("--queue", o->queue, "Every dead letter of this queue");
        cmd->add_flag("--all", o->all, "Every dead letter of every queue");
        const bool resend = std::string_view(action) == "resend";
        cmd->callback([o, resend] { fail_with(act(*o, resend)); });
    }
    dlq->callback([o, dlq] {
        if (dlq->get_subcommands().empty()) fail_with(list(*o));
    });
}

}  // namespace ferry::tools
