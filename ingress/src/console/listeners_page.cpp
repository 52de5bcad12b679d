// GET /_console/listeners: every listener with the paths it is called at (simple, SOAP, the
// REST routes of APIs), its state and last error, its live rate and error sparkline; pause,
// resume or restart one or the selected ones.
#include <map>

#include "admin/execution_json.hpp"
#include "console/admin_reader.hpp"
#include "console/console_pages.hpp"
#include "console/html.hpp"
#include "console/page.hpp"

namespace ferry::ingress::console {
namespace {

// Each operation's REST routes, from the served APIs: "GET /ws/rest/orders/v2/orders/{id}".
std::map<std::string, std::vector<std::string>> rest_routes(const boost::json::value& apis) {
    std::map<std::string, std::vector<std::string>> out;
    const auto* list = apis.is_object() ? apis.get_object().if_contains("apis") : nullptr;
    if (!list || !list->is_array()) return out;
    for (const auto& a : list->get_array()) {
        const auto& api = a.get_object();
        if (!api.at("active").as_bool()) continue;
        const auto rest = text_of(api.at("rest"));
        for (const auto& route : api.at("routes").get_array()) {
            const auto& o = route.get_object();
            const auto path = text_of(o.at("path"));
            out[text_of(o.at("operation"))].push_back(text_of(o.at("method")) + " " + rest +
                                                      (path.empty() ? "" : "/" + path));
        }
        for (const auto& operation : api.at("soap_operations").get_array()) {
            out[text_of(operation)].push_back("SOAP /ws/soap/" + text_of(api.at("base_path")));
        }
    }
    return out;
}

std::string listener_row(const boost::json::object& l,
                         const std::map<std::string, std::vector<std::string>>& routes) {
    const auto process = text_of(l.at("process"));
    const auto operation = text_of(l.at("operation"));
    const auto queue = text_of(l.at("queue"));
    const auto state = text_of(l.at("state"));
    std::string row =
        "<tr data-operation=\"" + escape(operation) + "\"><td>" + select_box(process) + "</td>";
    row += "<td>" + tag("strong", process) + " " +
           tag("span", "v" + text_of(l.at("version")), "class=\"muted\"") + "</td>";
    std::string paths;
    if (!operation.empty()) {
        paths += tag("div", "POST /ws/simple/" + operation, "class=\"mono\"");
        paths += tag("div", "SOAP /ws/soap " + operation, "class=\"mono\"");
        if (const auto it = routes.find(operation); it != routes.end()) {
            for (const auto& route : it->second) paths += tag("div", route, "class=\"mono\"");
        }
    } else {
        paths += tag("div", "queue " + queue, "class=\"mono\"");
    }
    row += "<td>" + paths + "</td>";
    row += "<td>" + badge(state) +
           tag("div", "since " + short_time(timestamp(l.at("since_ms").to_number<std::int64_t>())),
               "class=\"muted\"") +
           "</td>";
    row += tag("td", text_of(l.at("error")), "class=\"error\"");
    row += "<td class=\"num\"><span data-rate>0.0</span>/s</td>";
    row +=
        "<td><svg class=\"spark\" viewBox=\"0 0 120 28\" aria-label=\"requests (blue) and "
        "errors (red) per second, last minute\"></svg></td><td class=\"toolbar\">";
    const std::string base = "/_admin/listeners/" + url_encode(process);
    if (state == "paused") {
        row += action_button({.label = "Resume", .url = base + "/resume", .style = "primary"});
    } else {
        row += action_button(
            {.label = "Pause",
             .url = base + "/pause",
             .confirm = "Pause " + process + "? Its callers are answered 503 until it resumes."});
    }
    row += action_button({.label = "Restart",
                          .url = base + "/restart",
                          .confirm = "Restart " + process + "? Its definition is loaded again."});
    return row + "</td></tr>";
}

}  // namespace

page listeners_page(routed_request r) {
    const auto listeners = co_await read_admin(r, "/_admin/listeners");
    const auto apis = co_await read_admin(r, "/_admin/apis");
    if (!listeners.ok()) {
        co_return error_page(r, section::listeners, static_cast<http::status>(listeners.status),
                             "listeners", listeners.problem());
    }
    const auto routes = rest_routes(apis.body);
    const auto& list = listeners.body.get_object().at("listeners").get_array();
    std::string body =
        "<p class=\"hint\">A paused listener answers 503 listener_paused before reading a body "
        "(nothing is stored); executions already stored go on.</p><div class=\"toolbar\" "
        "data-live>";
    body += action_button({.label = "Pause the selected",
                           .confirm = "Pause {n} listeners?",
                           .selection = "listeners",
                           .each_url = "/_admin/listeners/{}/pause"});
    body += action_button({.label = "Resume the selected",
                           .selection = "listeners",
                           .each_url = "/_admin/listeners/{}/resume"});
    body += action_button({.label = "Restart the selected",
                           .confirm = "Restart {n} listeners?",
                           .selection = "listeners",
                           .each_url = "/_admin/listeners/{}/restart"});
    body += "</div>";
    if (list.empty()) {
        body += "<p class=\"empty\">No process is deployed.</p>";
    } else {
        body +=
            "<table class=\"data\" id=\"listeners\"><thead><tr>"
            "<th><input type=\"checkbox\" class=\"select-all\" aria-label=\"select all\"></th>"
            "<th>Process</th><th>Called at</th><th>State</th><th>Last error</th>"
            "<th class=\"num\">Rate</th><th>Last minute</th><th></th></tr></thead><tbody>";
        for (const auto& l : list) body += listener_row(l.get_object(), routes);
        body += "</tbody></table>";
    }
    co_return page_response(r, section::listeners, "Listeners", body);
}

}  // namespace ferry::ingress::console
