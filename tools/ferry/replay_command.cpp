// `ferry replay` (one execution, or every execution matching a filter in the background, with
// a progress bar on a terminal and plain lines otherwise) and `ferry replays`.
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "admin_client.hpp"
#include "commands.hpp"

namespace ferry::tools {
namespace {
namespace json = boost::json;

struct replay_options {
    admin_connection connection;
    std::string id;  // one execution
    std::string process;
    std::string state;
    std::string since;
    std::string until;
    std::string error;
    std::optional<std::uint32_t> version;
    bool dry_run = false;
    std::size_t limit = 0;
    bool everything = false;
    bool detach = false;
    std::string watch;
    std::string cancel;
};

std::atomic<bool> interrupted{false};

std::uint64_t count(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_number() ? v->to_number<std::uint64_t>() : 0;
}

int replay_one(const replay_options& o) {
    const auto target = "/_admin/executions/" + url_encoded(o.id) + "/replay" +
                        (o.version ? "?version=" + std::to_string(*o.version) : "");
    auto answer = admin_json(o.connection, "POST", target, {202});
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& body = std::get<json::value>(answer).as_object();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(body).c_str());
    } else {
        std::printf("%s replayed as %s (%s documents)\n", o.id.c_str(),
                    json_text(body.at("execution_id")).c_str(),
                    json_text(body.at("document_count")).c_str());
    }
    return 0;
}

std::string bar(std::uint64_t done, std::uint64_t total) {
    constexpr int width = 30;
    const int filled = total == 0 ? width : static_cast<int>(done * width / total);
    std::string out = "[";
    for (int i = 0; i < width; ++i) out += i < filled ? '#' : '.';
    return out + "]";
}

std::string counts_line(const json::object& p) {
    std::string line = std::to_string(count(p, "done")) + "/" + std::to_string(count(p, "total")) +
                       " replayed " + std::to_string(count(p, "replayed")) + ", refused " +
                       std::to_string(count(p, "refused"));
    if (p.at("dry_run").as_bool()) line += ", differing " + std::to_string(count(p, "differing"));
    return line;
}

void print_items(const json::object& p) {
    const auto* items = p.if_contains("items");
    if (!items || items->as_array().empty()) return;
    std::printf("%-24s  %s\n", "EXECUTION",
                p.at("dry_run").as_bool() ? "DIFFERENCES / REFUSAL" : "REFUSAL");
    for (const auto& row : items->as_array()) {
        const auto& item = row.as_object();
        const auto id = json_text(item.at("execution_id"));
        if (const auto* d = item.if_contains("differences")) {
            bool first = true;
            for (const auto& line : d->as_array()) {
                std::printf("%-24s  %s\n", first ? id.c_str() : "", json_text(line).c_str());
                first = false;
            }
        } else {
            std::printf("%-24s  %s: %s\n", id.c_str(), json_text(item.at("error")).c_str(),
                        json_text(item.at("detail")).c_str());
        }
    }
    if (p.at("items_truncated").as_bool()) std::printf("(more not listed)\n");
}

// Follows a job until it ends: a bar redrawn on a terminal, a line every two seconds
// otherwise. Ctrl-C cancels the job.
int follow(const replay_options& o, const std::string& id) {
    const bool terminal = ::isatty(STDERR_FILENO) != 0 && !o.connection.json;
    interrupted = false;
    auto previous = std::signal(SIGINT, [](int) { interrupted = true; });
    auto last_line = std::chrono::steady_clock::now() - std::chrono::seconds(10);
    bool cancel_sent = false;
    json::object p;
    for (;;) {
        if (interrupted && !cancel_sent) {
            cancel_sent = true;
            std::fprintf(stderr, "\nferry: cancelling replay %s\n", id.c_str());
            (void)admin_json(o.connection, "POST",
                             "/_admin/replays/" + url_encoded(id) + "/cancel");
        }
        auto answer = admin_json(o.connection, "GET", "/_admin/replays/" + url_encoded(id));
        if (const auto* code = std::get_if<int>(&answer)) {
            std::signal(SIGINT, previous);
            return *code;
        }
        p = std::get<json::value>(answer).as_object();
        const auto state = json_text(p.at("state"));
        const bool over = state == "finished" || state == "cancelled" || state == "failed";
        if (terminal) {
            std::fprintf(stderr, "\r%s %s %s   ", bar(count(p, "done"), count(p, "total")).c_str(),
                         counts_line(p).c_str(), state.c_str());
            if (over) std::fprintf(stderr, "\n");
        } else if (!o.connection.json && (over || std::chrono::steady_clock::now() - last_line >=
                                                      std::chrono::seconds(2))) {
            last_line = std::chrono::steady_clock::now();
            std::printf("replay %s %s: %s\n", id.c_str(), state.c_str(), counts_line(p).c_str());
            std::fflush(stdout);
        }
        if (over) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(terminal ? 200 : 250));
    }
    std::signal(SIGINT, previous);
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(p).c_str());
    } else {
        if (!p.at("error").is_null()) {
            std::fprintf(stderr, "ferry: the replay failed: %s\n",
                         json_text(p.at("error")).c_str());
        }
        print_items(p);
    }
    const auto state = json_text(p.at("state"));
    return state == "finished" ? 0 : 1;
}

int replay_many(const replay_options& o) {
    std::string query;
    const auto add = [&](const char* key, const std::string& value) {
        if (value.empty()) return;
        query += (query.empty() ? "?" : "&") + std::string(key) + "=" + url_encoded(value);
    };
    add("process", o.process);
    add("state", o.state);
    add("from", o.since);
    add("to", o.until);
    add("error", o.error);
    if (o.version) add("version", std::to_string(*o.version));
    if (o.dry_run) add("dry_run", "true");
    if (o.limit != 0) add("limit", std::to_string(o.limit));
    if (o.everything) add("all", "true");
    auto answer = admin_json(o.connection, "POST", "/_admin/replays" + query, {202});
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto id = json_text(std::get<json::value>(answer).at("replay_id"));
    if (o.detach) {
        std::printf("%s\n", id.c_str());
        return 0;
    }
    if (!o.connection.json) {
        std::fprintf(stderr, "ferry: replay %s started%s (Ctrl-C cancels it)\n", id.c_str(),
                     o.dry_run ? " as a dry run" : "");
    }
    return follow(o, id);
}

int replay(const replay_options& o) {
    if (!o.cancel.empty()) {
        auto answer = admin_json(o.connection, "POST",
                                 "/_admin/replays/" + url_encoded(o.cancel) + "/cancel");
        if (const auto* code = std::get_if<int>(&answer)) return *code;
        std::printf("replay %s: cancel asked (%s)\n", o.cancel.c_str(),
                    json_text(std::get<json::value>(answer).at("state")).c_str());
        return 0;
    }
    if (!o.watch.empty()) return follow(o, o.watch);
    const bool filtered = !o.process.empty() || !o.state.empty() || !o.since.empty() ||
                          !o.until.empty() || !o.error.empty() || o.everything;
    if (!o.id.empty() && filtered) {
        std::fprintf(stderr, "ferry: give an execution id or a filter, not both\n");
        return 2;
    }
    if (!o.id.empty()) {
        if (o.dry_run) {
            // One execution's dry run is a job over one id.
            auto answer = admin_json(
                o.connection, "POST",
                "/_admin/replays?dry_run=true" +
                    (o.version ? "&version=" + std::to_string(*o.version) : std::string()),
                {202}, "{\"ids\": [\"" + o.id + "\"]}", "application/json");
            if (const auto* code = std::get_if<int>(&answer)) return *code;
            return follow(o, json_text(std::get<json::value>(answer).at("replay_id")));
        }
        return replay_one(o);
    }
    if (!filtered) {
        std::fprintf(stderr,
                     "ferry: name what to replay: an execution id, or --process, --state, "
                     "--since, --until, --error (--all-history for everything)\n");
        return 2;
    }
    return replay_many(o);
}

int list_replays(const replay_options& o) {
    auto answer = admin_json(o.connection, "GET", "/_admin/replays");
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& list = std::get<json::value>(answer).at("replays").as_array();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(list).c_str());
        return 0;
    }
    std::printf("%-24s  %-9s  %-7s  %-19s  %s\n", "REPLAY", "STATE", "DRY RUN", "STARTED",
                "PROGRESS");
    for (const auto& row : list) {
        const auto& p = row.as_object();
        std::printf("%-24s  %-9s  %-7s  %-19s  %s\n", json_text(p.at("replay_id")).c_str(),
                    json_text(p.at("state")).c_str(), p.at("dry_run").as_bool() ? "yes" : "no",
                    table_time(static_cast<std::int64_t>(count(p, "started_ms"))).c_str(),
                    counts_line(p).c_str());
    }
    return 0;
}

}  // namespace

void add_replay_commands(CLI::App& app) {
    auto o = std::make_shared<replay_options>();
    auto* cmd = app.add_subcommand(
        "replay",
        "Run stored executions again as new executions linked to them (replay_of): one by id, "
        "or every one matching a filter, in the background with progress; --dry-run compares "
        "instead of storing");
    add_connection_options(cmd, o->connection);
    cmd->add_option("id", o->id, "One execution id (or use the filter options)");
    cmd->add_option("--process", o->process, "Executions of this process");
    cmd->add_option("--state", o->state, "In this state")
        ->check(CLI::IsMember({"queued", "running", "succeeded", "failed", "cancelled"}));
    cmd->add_option("--since", o->since, "Created at or after (ISO 8601 UTC or ms)");
    cmd->add_option("--until", o->until, "Created before (ISO 8601 UTC or ms)");
    cmd->add_option("--error", o->error, "Whose error contains this text");
    cmd->add_option("--version", o->version,
                    "Run by this deployed version of the process (default: the serving one)");
    cmd->add_flag("--dry-run", o->dry_run,
                  "Run in memory with http_call and file_write stubbed, store nothing, and "
                  "report which executions would come out differently");
    cmd->add_option("--limit", o->limit, "At most this many executions (newest first)");
    cmd->add_flag("--all-history", o->everything, "Replay every execution (no filter)");
    cmd->add_flag("--detach", o->detach, "Print the replay id and return at once");
    cmd->add_option("--watch", o->watch, "Follow a running replay by its id");
    cmd->add_option("--cancel", o->cancel, "Cancel a running replay by its id");
    cmd->callback([o] { fail_with(replay(*o)); });

    auto* list = app.add_subcommand("replays", "List the bulk replays the server remembers");
    add_connection_options(list, o->connection);
    list->callback([o] { fail_with(list_replays(*o)); });
}

}  // namespace ferry::tools
