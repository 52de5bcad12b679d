// Every endpoint of the server, in one table: method, path pattern, which ports serve it, and
// its handler. docs/admin-api.md and docs/web-services.md describe each.
#include "routes.hpp"

#include "admin/admin_api.hpp"
#include "console/console_pages.hpp"
#include "services/web_services.hpp"

namespace ferry::ingress {
namespace {

using http::verb;
using action = engine::gateway::listener_action;

// A handler that answers without waiting on anything, as a route handler.
template <response (*handler)(const routed_request&)>
boost::asio::awaitable<response> at_once(routed_request r) {
    co_return handler(r);
}

route_handler changes_listener(action what) {
    return [what](routed_request r) { return change_listener(std::move(r), what); };
}

}  // namespace

const std::string& routed_request::param(std::string_view name) const {
    return param_value(params, name);
}

routes make_routes() {
    routes table;
    const auto services = [&](verb method, std::string_view pattern, web_service protocol,
                              route_handler handler) {
        table.add(method, pattern, route_role::services, protocol, std::move(handler));
    };
    const auto admin = [&](verb method, std::string_view pattern, route_handler handler) {
        table.add(method, pattern, route_role::admin, web_service::none, std::move(handler));
    };

    // Web services (docs/web-services.md).
    services(verb::post, "/ws/simple/{operation}", web_service::simple, call_operation);
    services(verb::get, "/ws/simple/{operation}", web_service::simple, next_page);
    // Each API with SOAP operations has its own endpoints: /ws/soap/<base path> (docs/apis.md).
    for (const auto& [path, protocol] :
         {std::pair{"/ws/soap", web_service::soap11}, std::pair{"/ws/soap12", web_service::soap12},
          std::pair{"/ws/soap/{path...}", web_service::soap11},
          std::pair{"/ws/soap12/{path...}", web_service::soap12}}) {
        services(verb::post, path, protocol, soap_call);
        services(verb::get, path, protocol, at_once<soap_description>);
    }

    // The routes of the deployed APIs (docs/apis.md), found per request in the live registry.
    for (const auto method : {verb::get, verb::post, verb::put, verb::patch, verb::delete_}) {
        services(method, "/ws/rest/{path...}", web_service::rest, rest_call);
    }

    // Every port answers the status (load balancers' health checks).
    table.add(verb::get, "/_admin/status", route_role::any, web_service::none, at_once<status>);
    admin(verb::get, "/metrics", at_once<metrics>);

    // Executions: history, detail, documents, replay, the reply of a synchronous call.
    admin(verb::get, "/_admin/executions", list_executions);
    admin(verb::get, "/_admin/executions/{id}", show_execution);
    admin(verb::get, "/_admin/executions/{id}/documents/{document}", show_execution_document);
    admin(verb::post, "/_admin/executions/{id}/replay", replay_execution);
    admin(verb::get, "/_admin/executions/{id}/result", execution_result);

    // Deployment: processes and their listeners.
    admin(verb::get, "/_admin/processes", list_processes);
    admin(verb::post, "/_admin/processes", deploy_process);
    admin(verb::delete_, "/_admin/processes/{name}", undeploy_process);
    admin(verb::get, "/_admin/processes/{name}/versions/{version}", show_process_version);
    admin(verb::post, "/_admin/processes/{name}/versions/{version}/activate",
          activate_process_version);
    // Deployment: APIs (a definition of either kind deploys at /_admin/processes too).
    admin(verb::get, "/_admin/apis", list_apis);
    admin(verb::post, "/_admin/apis", deploy_process);
    admin(verb::delete_, "/_admin/apis/{name}", undeploy_api);
    admin(verb::delete_, "/_admin/apis/{name}/versions/{version}", undeploy_api);
    admin(verb::post, "/_admin/apis/{name}/versions/{version}/activate", activate_api_version);
    admin(verb::get, "/_admin/listeners", list_listeners);
    admin(verb::post, "/_admin/listeners/{name}/pause", changes_listener(action::pause));
    admin(verb::post, "/_admin/listeners/{name}/resume", changes_listener(action::resume));
    admin(verb::post, "/_admin/listeners/{name}/restart", changes_listener(action::restart));

    // Bulk replays.
    admin(verb::get, "/_admin/replays", at_once<list_replays>);
    admin(verb::post, "/_admin/replays", at_once<start_replay>);
    admin(verb::get, "/_admin/replays/{id}", at_once<show_replay>);
    admin(verb::post, "/_admin/replays/{id}/cancel", at_once<cancel_replay>);

    // Remote worker processes; the cluster's nodes and workers.
    admin(verb::get, "/_admin/workers", at_once<list_workers>);
    admin(verb::get, "/_admin/nodes", list_nodes);

    // Other ferry runtimes this one's console manages.
    admin(verb::get, "/_admin/runtimes", list_runtimes);
    admin(verb::post, "/_admin/runtimes", add_runtime);
    admin(verb::delete_, "/_admin/runtimes/{name}", remove_runtime);
    admin(verb::get, "/_admin/runtimes/{name}/overview", runtime_overview);
    admin(verb::post, "/_admin/runtimes/{name}/deploy", deploy_to_runtime);

    // Internal queues and dead letters.
    admin(verb::get, "/_admin/queues", list_internal_queues);
    admin(verb::get, "/_admin/dead-letters", list_dead_letters);
    admin(verb::delete_, "/_admin/dead-letters", clear_dead_letters);
    admin(verb::post, "/_admin/dead-letters/resend", resend_dead_letters);
    admin(verb::get, "/_admin/dead-letters/{id}", show_dead_letter);
    admin(verb::delete_, "/_admin/dead-letters/{id}", clear_dead_letter);
    admin(verb::post, "/_admin/dead-letters/{id}/resend", resend_dead_letter);

    // The operator console (docs/console.md): pages made from the admin API's answers; its
    // script acts through the admin API above.
    admin(verb::get, "/_console", console::to_overview);
    admin(verb::get, "/_console/", console::overview_page);
    admin(verb::get, "/_console/assets/{name}", console::asset);
    admin(verb::get, "/_console/events", console::live_events);
    admin(verb::get, "/_console/processes", console::processes_page);
    admin(verb::get, "/_console/processes/{name}/diff", console::process_diff_page);
    admin(verb::get, "/_console/listeners", console::listeners_page);
    admin(verb::get, "/_console/executions", console::executions_page);
    admin(verb::get, "/_console/executions/export", console::executions_export);
    admin(verb::get, "/_console/executions/{id}", console::execution_page);
    admin(verb::get, "/_console/executions/{id}/documents/{document}", console::document_download);
    admin(verb::get, "/_console/replays", console::replays_page);
    admin(verb::get, "/_console/replays/{id}", console::replay_page);
    admin(verb::get, "/_console/queues", console::queues_page);
    admin(verb::get, "/_console/queues/dead-letters/{id}", console::dead_letter_page);
    admin(verb::get, "/_console/apis", console::apis_page);
    admin(verb::get, "/_console/runtimes", console::runtimes_page);
    admin(verb::get, "/_console/runtimes/{name}", console::runtime_page);
    return table;
}

}  // namespace ferry::ingress
