// `ferry apis` (list), `ferry apis activate`, `ferry apis undeploy`: the APIs of a running
// server over the admin API (docs/apis.md). `ferry deploy` deploys them like processes.
#include <boost/json.hpp>
#include <cstdio>

#include "admin_client.hpp"
#include "commands.hpp"

namespace ferry::tools {
namespace {
namespace json = boost::json;

struct api_options {
    admin_connection connection;
    std::string name;
    std::uint32_t version = 0;
};

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
                                 std::to_string(o.version) + "/activate",
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
    activate_cmd->callback([o] { fail_with(activate(*o)); });

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
