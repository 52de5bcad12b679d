// `ferry nodes`: cluster mode, every node and worker of the cluster with its state, over the
// admin API of any node (docs/cli.md).
#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <variant>

#include "admin_client.hpp"
#include "commands.hpp"

namespace ferry::tools {
namespace {
namespace json = boost::json;

int nodes(const admin_connection& c) {
    auto answer = admin_json(c, "GET", "/_admin/nodes");
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& body = std::get<json::value>(answer).as_object();
    if (c.json) {
        std::printf("%s\n", json::serialize(body).c_str());
        return 0;
    }
    std::printf("%-24s  %-6s  %-6s  %-16s  %8s  %7s  %9s  %11s  %9s  %7s\n", "NAME", "KIND",
                "STATE", "HOST", "HEARD", "THREADS", "IN FLIGHT", "SUCCEEDED", "FAILED", "OUTBOX");
    for (const auto& row : body.at("nodes").as_array()) {
        const auto& n = row.as_object();
        const auto heard = std::to_string(n.at("heard_ms_ago").to_number<std::int64_t>()) + " ms";
        const auto* outbox = n.if_contains("outbox");
        std::printf("%-24s  %-6s  %-6s  %-16s  %8s  %7s  %9s  %11s  %9s  %7s\n",
                    json_text(n.at("name")).c_str(), json_text(n.at("kind")).c_str(),
                    json_text(n.at("state")).c_str(), json_text(n.at("host")).c_str(),
                    heard.c_str(), json_text(n.at("threads")).c_str(),
                    json_text(n.at("in_flight")).c_str(), json_text(n.at("succeeded")).c_str(),
                    json_text(n.at("failed")).c_str(),
                    outbox != nullptr ? json_text(*outbox).c_str() : "-");
    }
    return 0;
}

}  // namespace

void add_nodes_command(CLI::App& app) {
    auto c = std::make_shared<admin_connection>();
    auto* cmd = app.add_subcommand(
        "nodes",
        "Cluster mode: list the cluster's ingress nodes and workers, whether each is up, and "
        "what its executors hold and ran");
    add_connection_options(cmd, *c);
    cmd->callback([c] { fail_with(nodes(*c)); });
}

}  // namespace ferry::tools
