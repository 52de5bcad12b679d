// `ferry apis` (list), `ferry apis activate`, `ferry apis undeploy`: the APIs of a running
// server over the admin API (docs/apis.md). `ferry deploy` deploys them like processes.
// `ferry apis diff` compares two API files offline.
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "admin_client.hpp"
#include "commands.hpp"
#include "ferry/engine/apis/api_diff.hpp"
#include "ferry/engine/apis/openapi.hpp"
#include "ferry/engine/model/process_loader.hpp"

namespace ferry::tools {
namespace {
namespace json = boost::json;

struct api_options {
    admin_connection connection;
    std::string name;
    std::uint32_t version = 0;
    bool allow_breaking = false;
    std::string old_file;
    std::string new_file;
    std::string processes;  // for diff: the processes the APIs' operations are
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf()))
        throw engine::definition_error(path + ": cannot read the file");
    return text.str();
}

// `ferry apis diff OLD NEW`: what changed between two API files, and whether it breaks
// callers of OLD; exits 1 when something does.
int diff(const api_options& o) {
    try {
        auto directory = o.processes;
        if (directory.empty()) {
            directory = std::filesystem::path(o.new_file).parent_path().string();
            if (directory.empty()) directory = ".";
        }
        const auto processes = engine::load_process_directory(directory, /*with_apis=*/false);
        const auto before = engine::load_api_text(read_file(o.old_file), o.old_file);
        const auto after = engine::load_api_text(read_file(o.new_file), o.new_file);
        engine::check_api_operations(*processes, *before);
        engine::check_api_operations(*processes, *after);
        const auto changes = engine::diff_openapi(engine::write_openapi(*before, *processes, {}),
                                                  engine::write_openapi(*after, *processes, {}));
        std::size_t breaking = 0;
        if (o.connection.json) {
            json::array list;
            for (const auto& c : changes) {
                list.push_back(
                    json::object{{"where", c.where}, {"what", c.what}, {"breaking", c.breaking}});
            }
            std::printf("%s\n", json::serialize(list).c_str());
        }
        for (const auto& c : changes) {
            if (c.breaking) ++breaking;
            if (!o.connection.json) {
                std::printf("%-10s  %s: %s\n", c.breaking ? "breaking" : "compatible",
                            c.where.c_str(), c.what.c_str());
            }
        }
        if (!o.connection.json) {
            std::printf("%zu change%s, %zu breaking\n", changes.size(),
                        changes.size() == 1 ? "" : "s", breaking);
        }
        return breaking > 0 ? 1 : 0;
    } catch (const engine::definition_error& e) {
        std::fprintf(stderr, "ferry: %s\n", e.what());
        return 2;
    }
}

std::int64_t number(const json::value& v) {
    return v.is_number() ? v.to_number<std::int64_t>() : 0;
}

// "deprecated, sunset 2027-12-31, successor orders/v2", or "" for a current version.
std::string deprecation_text(const json::value& d) {
    if (!d.is_object()) return "";
    std::string out = "deprecated";
    if (const auto* sunset = d.as_object().if_contains("sunset"); sunset && sunset->is_string()) {
        out += ", sunset " + std::string(sunset->as_string());
    }
    if (const auto* next = d.as_object().if_contains("successor"); next && next->is_string()) {
        out += ", successor " + std::string(next->as_string());
    }
    return out;
}

int list(const api_options& o) {
    auto answer = admin_json(o.connection, "GET", "/_admin/apis");
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& apis = std::get<json::value>(answer).at("apis").as_array();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(apis).c_str());
        return 0;
    }
    std::printf("%-16s  %7s  %-6s  %-24s  %6s  %-9s  %-19s  %s\n", "API", "VERSION", "ACTIVE",
                "BASE PATH", "ROUTES", "SOURCE", "DEPLOYED", "STATE");
    for (const auto& row : apis) {
        const auto& a = row.as_object();
        std::printf("%-16s  %7s  %-6s  %-24s  %6zu  %-9s  %-19s  %s\n",
                    json_text(a.at("api")).c_str(), json_text(a.at("version")).c_str(),
                    a.at("active").as_bool() ? "yes" : "no", json_text(a.at("base_path")).c_str(),
                    a.at("routes").as_array().size(), json_text(a.at("source")).c_str(),
                    table_time(number(a.at("deployed_ms"))).c_str(),
                    deprecation_text(a.at("deprecated")).c_str());
    }
    return 0;
}

int activate(const api_options& o) {
    auto answer = admin_json(o.connection, "POST",
                             "/_admin/apis/" + url_encoded(o.name) + "/versions/" +
                                 std::to_string(o.version) + "/activate" +
                                 (o.allow_breaking ? "?allow_breaking=true" : ""),
                             {200});
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& r = std::get<json::value>(answer).as_object();
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(r).c_str());
        return 0;
    }
    std::printf("API %s version %s serves %s%s\n", json_text(r.at("api")).c_str(),
                json_text(r.at("version")).c_str(), json_text(r.at("rest")).c_str(),
                r.at("replaced_version").is_null()
                    ? ""
                    : (" (replacing version " + json_text(r.at("replaced_version")) + ")").c_str());
    return 0;
}

int undeploy(const api_options& o) {
    auto path = "/_admin/apis/" + url_encoded(o.name);
    if (o.version > 0) path += "/versions/" + std::to_string(o.version);
    auto answer = admin_json(o.connection, "DELETE", path);
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    if (o.connection.json) {
        std::printf("%s\n", json::serialize(std::get<json::value>(answer)).c_str());
    } else {
        std::printf("API %s%s undeployed: its routes answer 404\n", o.name.c_str(),
                    o.version > 0 ? (" version " + std::to_string(o.version)).c_str() : "");
    }
    return 0;
}

}  // namespace

void add_api_commands(CLI::App& app) {
    auto o = std::make_shared<api_options>();
    auto* apis = app.add_subcommand(
        "apis",
        "APIs: versioned REST and SOAP endpoints over processes (list, activate, undeploy); "
        "`ferry apis` alone lists them, `ferry deploy FILE` deploys one");
    apis->require_subcommand(0, 1);
    add_connection_options(apis, o->connection);

    auto* list_cmd = apis->add_subcommand("list", "List every known version of every API");
    add_connection_options(list_cmd, o->connection);
    list_cmd->callback([o] { fail_with(list(*o)); });

    auto* activate_cmd = apis->add_subcommand(
        "activate", "Serve a deployed version of an API at its base path (roll forward or back)");
    add_connection_options(activate_cmd, o->connection);
    activate_cmd->add_option("api", o->name, "API name")->required();
    activate_cmd->add_option("version", o->version, "Version to serve")->required();
    activate_cmd->add_flag("--allow-breaking", o->allow_breaking,
                           "Serve it even when it would break the callers of the version it "
                           "replaces");
    activate_cmd->callback([o] { fail_with(activate(*o)); });

    auto* diff_cmd = apis->add_subcommand(
        "diff",
        "Print what changed between two API definition files and whether it breaks the old "
        "one's callers (exit status 1 when it does)");
    diff_cmd->add_option("old", o->old_file, "The API as callers know it")
        ->required()
        ->check(CLI::ExistingFile);
    diff_cmd->add_option("new", o->new_file, "The API as it would be")
        ->required()
        ->check(CLI::ExistingFile);
    diff_cmd->add_option("--processes", o->processes,
                         "Directory of the processes serving their operations (default: NEW's "
                         "directory)");
    diff_cmd->add_flag("--json", o->connection.json, "Print the changes as JSON");
    diff_cmd->callback([o] { fail_with(diff(*o)); });

    auto* undeploy_cmd = apis->add_subcommand(
        "undeploy", "Stop serving an API (every base path it serves, or one version's)");
    add_connection_options(undeploy_cmd, o->connection);
    undeploy_cmd->add_option("api", o->name, "API name")->required();
    undeploy_cmd->add_option("--version", o->version, "Only this version");
    undeploy_cmd->callback([o] { fail_with(undeploy(*o)); });

    apis->callback([o, apis] {
        if (apis->get_subcommands().empty()) fail_with(list(*o));
    });
}

}  // namespace ferry::tools
