// `ferry deploy`, `activate`, `undeploy`, `processes`, `listeners`, `pause`, `resume`,
// `restart`: hot deployment over the admin API (docs/admin-api.md).
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "admin_client.hpp"
#include "commands.hpp"
#include "ferry/engine/model/process_loader.hpp"

namespace ferry::tools {
namespace {
namespace json = boost::json;

// What a process serves: its operation, or "queue NAME" for a queue listener.
std::string served_as(const json::object& o) {
    const auto queue = o.if_contains("queue");
    if (queue && queue->is_string()) return "queue " + std::string(queue->as_string());
    return json_text(o.at("operation"));
}

// What deploying an API did: it serves its base path, or is kept for `ferry apis activate`.
void print_api_deployed(const std::string& file, const json::object& r) {
    const auto api = "API " + json_text(r.at("api")) + " version " + json_text(r.at("version"));
    if (!r.at("active").as_bool()) {
        std::printf("%s: %s is kept, not serving; `ferry apis activate %s %s` serves it\n",
                    file.c_str(), api.c_str(), json_text(r.at("api")).c_str(),
                    json_text(r.at("version")).c_str());
        return;
    }
    std::printf("%s: %s %s %s%s\n", file.c_str(), api.c_str(),
                r.at("changed").as_bool() || !r.at("replaced_version").is_null() ? "serves"
                                                                                 : "already serves",
                json_text(r.at("rest")).c_str(),
                r.at("replaced_version").is_null()
                    ? ""
                    : (" (replacing version " + json_text(r.at("replaced_version")) + ")").c_str());
}

struct deploy_options {
    admin_connection connection;
    std::vector<std::string> files;
    bool inactive = false;
    bool allow_breaking = false;
    std::string name;
    std::uint32_t version = 0;
};

std::int64_t number(const json::value& v) {
    return v.is_number() ? v.to_number<std::int64_t>() : 0;
}

int deploy(const deploy_options& o) {
    int worst = 0;
    json::array results;
    for (const auto& file : o.files) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream text;
        if (!in || !(text << in.rdbuf())) {
            std::fprintf(stderr, "ferry: cannot read %s\n", file.c_str());
            worst = std::max(worst, 1);
            continue;
        }
        const auto name = std::filesystem::path(file).filename().string();
        std::string definition;
        try {
            // The profiles it names go with it, so that the server keeps them with the version.
            definition = engine::bundle_profiles(text.str(), file);
        } catch (const engine::definition_error& e) {
            std::fprintf(stderr, "ferry: %s\n", e.what());
            worst = std::max(worst, 1);
            continue;
        }
        auto answer = admin_json(o.connection, "POST",
                                 "/_admin/processes?file=" + url_encoded(name) +
                                     (o.inactive ? "&activate=false" : "") +
                                     (o.allow_breaking ? "&allow_breaking=true" : ""),
                                 {200, 201}, definition, "application/yaml");
        if (const auto* code = std::get_if<int>(&answer)) {
            if (*code == 2) return 2;  // nobody to deploy to: the other files would fail too
            worst = std::max(worst, *code);
            continue;
        }
        const auto& r = std::get<json::value>(answer).as_object();
        if (o.connection.json) {
            results.push_back(r);
            continue;
        }
        if (r.contains("api")) {
            print_api_deployed(file, r);
            continue;
        }
        const auto process = json_text(r.at("process")) + " version " + json_text(r.at("version"));
        if (!r.at("changed").as_bool() && r.at("active").as_bool() &&
            r.at("replaced_version").is_null()) {
            std::printf("%s: %s is already serving %s (unchanged)\n", file.c_str(), process.c_str(),
                        served_as(r).c_str());
        } else if (r.at("active").as_bool()) {
            std::printf(
                "%s: %s serves %s%s\n", file.c_str(), process.c_str(), served_as(r).c_str(),
                r.at("replaced_version").is_null()
                    ? ""
                    : (" (replacing version " + json_text(r.at("replaced_version")) + ")").c_str());
        } else {
            std::printf("%s: %s is kept, not serving; `ferry activate %s %s` serves it\n",
                        file.c_str(), process.c_str(), json_text(r.at("process")).c_str(),
                        json_text(r.at("version")).c_str());
        }
    }
    if (o.connection.json) std::printf("%s\n", json::serialize(results).c_str());
    return worst;
}

int activate(const deploy_options& o) {
    auto answer = admin_json(o.connection, "POST",
                             "/_admin/processes/" + url_encoded(o.name) + "/versions/" +
                                 std::to_string(o.version) + "/activate",
                             {200, 201});
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& r = std::get<json::value>(answer).as_object();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(r).c_str());
    } else {
        std::printf(
            "%s version %s serves %s%s\n", json_text(r.at("process")).c_str(),
            json_text(r.at("version")).c_str(), served_as(r).c_str(),
            r.at("replaced_version").is_null()
                ? " (it already did)"
                : (" (replacing version " + json_text(r.at("replaced_version")) + ")").c_str());
    }
    return 0;
}

int undeploy(const deploy_options& o) {
    auto answer = admin_json(o.connection, "DELETE", "/_admin/processes/" + url_encoded(o.name));
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(std::get<json::value>(answer)).c_str());
    } else {
        std::printf("%s undeployed: its operation answers 404; stored executions still finish\n",
                    o.name.c_str());
    }
    return 0;
}

int processes(const deploy_options& o) {
    auto answer = admin_json(o.connection, "GET", "/_admin/processes");
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& list = std::get<json::value>(answer).at("processes").as_array();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(list).c_str());
        return 0;
    }
    std::printf("%-20s  %7s  %-6s  %-24s  %-9s  %-19s  %s\n", "PROCESS", "VERSION", "ACTIVE",
                "OPERATION", "SOURCE", "DEPLOYED", "FILE");
    for (const auto& row : list) {
        const auto& p = row.as_object();
        std::printf(
            "%-20s  %7s  %-6s  %-24s  %-9s  %-19s  %s\n", json_text(p.at("process")).c_str(),
            json_text(p.at("version")).c_str(), p.at("active").as_bool() ? "yes" : "no",
            served_as(p).c_str(), json_text(p.at("source")).c_str(),
            table_time(number(p.at("deployed_ms"))).c_str(), json_text(p.at("file")).c_str());
    }
    return 0;
}

void print_listener(const json::object& l) {
    std::printf("%-20s  %-24s  %7s  %-9s  %-19s  %s\n", json_text(l.at("process")).c_str(),
                served_as(l).c_str(), json_text(l.at("version")).c_str(),
                json_text(l.at("state")).c_str(), table_time(number(l.at("since_ms"))).c_str(),
                json_text(l.at("error")).c_str());
}

void print_listener_header() {
    std::printf("%-20s  %-24s  %7s  %-9s  %-19s  %s\n", "PROCESS", "OPERATION", "VERSION", "STATE",
                "SINCE", "ERROR");
}

int listeners(const deploy_options& o) {
    auto answer = admin_json(o.connection, "GET", "/_admin/listeners");
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& list = std::get<json::value>(answer).at("listeners").as_array();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(list).c_str());
        return 0;
    }
    print_listener_header();
    for (const auto& row : list) print_listener(row.as_object());
    return 0;
}

int change_listener(const deploy_options& o, const std::string& action) {
    auto answer =
        admin_json(o.connection, "POST", "/_admin/listeners/" + url_encoded(o.name) + "/" + action);
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& l = std::get<json::value>(answer).as_object();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(l).c_str());
    } else {
        std::printf("%s: %s%s%s\n", json_text(l.at("process")).c_str(),
                    json_text(l.at("state")).c_str(), l.at("error").is_null() ? "" : " - ",
                    json_text(l.at("error")).c_str());
    }
    // A restart that left the listener errored did not work.
    return json_text(l.at("state")) == "errored" ? 1 : 0;
}

}  // namespace

void add_deploy_commands(CLI::App& app) {
    auto o = std::make_shared<deploy_options>();

    auto* deploy_cmd = app.add_subcommand(
        "deploy",
        "Deploy process or API definitions to a running server (no restart); a new version "
        "serves at once, executions already running finish on theirs");
    add_connection_options(deploy_cmd, o->connection);
    deploy_cmd->add_option("files", o->files, "Process or API definition files (YAML)")
        ->required()
        ->check(CLI::ExistingFile);
    deploy_cmd->add_flag("--inactive", o->inactive,
                         "Keep the version without serving it (to replay against it first); "
                         "`ferry activate` serves it");
    deploy_cmd->add_flag("--allow-breaking", o->allow_breaking,
                         "Replace an API version even when the new one would break its callers "
                         "(a route removed, a required field added, a type changed)");
    deploy_cmd->callback([o] { fail_with(deploy(*o)); });

    auto* activate_cmd = app.add_subcommand(
        "activate", "Serve a deployed version of a process (roll forward or back)");
    add_connection_options(activate_cmd, o->connection);
    activate_cmd->add_option("process", o->name, "Process name")->required();
    activate_cmd->add_option("version", o->version, "Version to serve")->required();
    activate_cmd->callback([o] { fail_with(activate(*o)); });

    auto* undeploy_cmd =
        app.add_subcommand("undeploy",
                           "Stop serving a process (its operation answers 404); stored executions "
                           "still finish");
    add_connection_options(undeploy_cmd, o->connection);
    undeploy_cmd->add_option("process", o->name, "Process name")->required();
    undeploy_cmd->callback([o] { fail_with(undeploy(*o)); });

    auto* processes_cmd =
        app.add_subcommand("processes", "List every known version of every process");
    add_connection_options(processes_cmd, o->connection);
    processes_cmd->callback([o] { fail_with(processes(*o)); });

    auto* listeners_cmd =
        app.add_subcommand("listeners",
                           "List listeners (one per deployed process) and their state: listening, "
                           "paused or errored");
    add_connection_options(listeners_cmd, o->connection);
    listeners_cmd->callback([o] { fail_with(listeners(*o)); });

    const std::pair<const char*, const char*> actions[] = {
        {"pause",
         "Pause a listener: its operation answers 503 listener_paused (also after a "
         "restart) until resumed; nothing is stored"},
        {"resume", "Resume a paused listener"},
        {"restart",
         "Load a listener's definition again and serve it afresh (an errored "
         "listener that loads now listens again; a paused one stays paused)"},
    };
    for (const auto& [action, help] : actions) {
        auto* cmd = app.add_subcommand(action, help);
        add_connection_options(cmd, o->connection);
        cmd->add_option("process", o->name, "Process name")->required();
        cmd->callback([o, a = std::string(action)] { fail_with(change_listener(*o, a)); });
    }
}

}  // namespace ferry::tools
