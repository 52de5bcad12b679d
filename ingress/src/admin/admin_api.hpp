#pragma once

#include <boost/json/object.hpp>

// The admin API's handlers (docs/admin-api.md). routes.cpp names the path of each.

#include <boost/asio/awaitable.hpp>

#include "routes.hpp"
#include "service.hpp"

namespace ferry::ingress {

/// GET /_admin/status (every port): state, version, queue depth, disk.
response status(const routed_request& r);
/// GET /metrics: Prometheus text.
response metrics(const routed_request& r);

/// GET /_admin/executions?process=&state=&from=&to=&error=&limit=&cursor=: the history,
/// newest first (history_handler.cpp).
boost::asio::awaitable<response> list_executions(routed_request r);
/// GET /_admin/executions/<id>: the record and its step trace.
boost::asio::awaitable<response> show_execution(routed_request r);
/// GET /_admin/executions/<id>/documents/<document>: one stored document.
boost::asio::awaitable<response> show_execution_document(routed_request r);
/// POST /_admin/executions/<id>/replay[?version=N]: the execution again, as a new stored
/// execution linked to it (process property replay_of); 202.
boost::asio::awaitable<response> replay_execution(routed_request r);

/// /_admin/processes and /_admin/listeners (deploy_handler.cpp).
boost::asio::awaitable<response> list_processes(routed_request r);
boost::asio::awaitable<response> deploy_process(routed_request r);
boost::asio::awaitable<response> undeploy_process(routed_request r);
boost::asio::awaitable<response> activate_process_version(routed_request r);
/// GET /_admin/processes/{name}/versions/{version}: a known version and its definition (YAML).
boost::asio::awaitable<response> show_process_version(routed_request r);
boost::asio::awaitable<response> list_listeners(routed_request r);
boost::asio::awaitable<response> change_listener(routed_request r,
                                                 engine::gateway::listener_action what);

/// /_admin/apis (api_handler.cpp): list; undeploy every base path of an API or one
/// version's; activate a known version. Deploying goes through deploy_process.
boost::asio::awaitable<response> list_apis(routed_request r);
boost::asio::awaitable<response> undeploy_api(routed_request r);
boost::asio::awaitable<response> activate_api_version(routed_request r);
/// A version number in a path ("3"); nullopt for anything else.
std::optional<std::uint32_t> parse_version(std::string_view text);
/// The admin API's JSON for an API version (also the answer to deploying one).
boost::json::object api_json(const engine::api_definition& api);

/// /_admin/replays (replay_handler.cpp): bulk replays in the background.
response start_replay(const routed_request& r);
response list_replays(const routed_request& r);
response show_replay(const routed_request& r);
response cancel_replay(const routed_request& r);

/// GET /_admin/nodes (workers_handler.cpp): cluster mode, every node and worker of the cluster.
boost::asio::awaitable<response> list_nodes(routed_request r);
/// GET /_admin/workers (workers_handler.cpp): remote worker processes and their last reports.
response list_workers(const routed_request& r);

/// /_admin/runtimes (runtimes_handler.cpp): other ferry runtimes the console manages.
boost::asio::awaitable<response> list_runtimes(routed_request r);
boost::asio::awaitable<response> add_runtime(routed_request r);
boost::asio::awaitable<response> remove_runtime(routed_request r);
/// GET /_admin/runtimes/{name}/overview: its status, listeners and processes, as it answers.
boost::asio::awaitable<response> runtime_overview(routed_request r);
/// POST /_admin/runtimes/{name}/deploy?process=&version=[&activate=false]: a version known
/// here, deployed there; the runtime's answer.
boost::asio::awaitable<response> deploy_to_runtime(routed_request r);

/// /_admin/queues and /_admin/dead-letters (queue_handler.cpp): internal queues.
boost::asio::awaitable<response> list_internal_queues(routed_request r);
boost::asio::awaitable<response> list_dead_letters(routed_request r);
boost::asio::awaitable<response> clear_dead_letters(routed_request r);
boost::asio::awaitable<response> resend_dead_letters(routed_request r);
boost::asio::awaitable<response> show_dead_letter(routed_request r);
boost::asio::awaitable<response> clear_dead_letter(routed_request r);
boost::asio::awaitable<response> resend_dead_letter(routed_request r);

}  // namespace ferry::ingress
