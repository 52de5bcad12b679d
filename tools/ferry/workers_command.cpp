// `ferry workers`: the `ferry worker` processes a server dispatches to, over the admin API
// (docs/cli.md).
#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <variant>

#include "admin_client.hpp"
#include "commands.hpp"

namespace ferry::tools {
namespace {
namespace json = boost::json;

int workers(const admin_connection& c) {
    auto answer = admin_json(c, "GET", "/_admin/workers");
    if (const auto* code = std::get_if<int>(&answer)) return *code;
    const auto& body = std::get<json::value>(answer).as_object();
    if (c.json) {
        std::printf("%s\n", json::serialize(body).c_str());
        return 0;
    }
    std::printf("%-16s  %7s  %7s  %7s  %10s  %9s  %7s  %11s  %9s  %s\n", "WORKER", "HEARD",
                "THREADS", "LEASED", "PREFETCHED", "IN FLIGHT", "WAITING", "SUCCEEDED", "FAILED",
                "PARTNER CALLS");
    for (const auto& row : body.at("workers").as_array()) {
        const auto& w = row.as_object();
        std::string calls;
        for (const auto& [partner, n] : w.at("partner_calls_in_flight").as_object()) {
            calls += (calls.empty() ? "" : ", ") + std::string(partner) + " " + json_text(n);
        }
        const auto heard = std::to_string(w.at("heard_ms_ago").to_number<std::int64_t>()) + " ms";
        std::printf("%-16s  %7s  %7s  %7s  %10s  %9s  %7s  %11s  %9s  %s\n",
                    json_text(w.at("id")).c_str(), heard.c_str(),
                    json_text(w.at("threads")).c_str(), json_text(w.at("leased")).c_str(),
                    json_text(w.at("prefetched")).c_str(), json_text(w.at("in_flight")).c_str(),
                    json_text(w.at("waiting")).c_str(), json_text(w.at("succeeded")).c_str(),
                    json_text(w.at("failed")).c_str(), calls.empty() ? "-" : calls.c_str());
    }
    return 0;
}

}  // namespace

void add_workers_command(CLI::App& app) {
    auto c = std::make_shared<admin_connection>();
    auto* cmd = app.add_subcommand(
        "workers",
        "List the worker processes the server dispatches to: executions leased to each, "
        "running and waiting there, and their partner calls");
    add_connection_options(cmd, *c);
    cmd->callback([c] { fail_with(workers(*c)); });
}

}  // namespace ferry::tools
