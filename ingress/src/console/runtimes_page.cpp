// GET /_console/runtimes: the runtimes this console manages — this one and, in cluster mode,
// every node and worker of the cluster, without registration.
#include <map>

#include "console/admin_reader.hpp"
#include "console/console_pages.hpp"
#include "console/html.hpp"
#include "console/page.hpp"
#include "service.hpp"
#include "version.hpp"

namespace ferry::ingress::console {
namespace {

std::string registration_form() {
    return "<h3>Register a runtime</h3><form class=\"filters\" data-json-post=\"/_admin/runtimes\">"
           "<label>Name<input type=\"text\" name=\"name\" placeholder=\"production\" "
           "required></label>"
           "<label>Admin URL<input type=\"text\" name=\"url\" "
           "placeholder=\"https://ferry-prod.example.com:9443\" required></label>"
           "<label>Admin user<input type=\"text\" name=\"user\" placeholder=\"ops\"></label>"
           "<label>Token<input type=\"password\" name=\"token\" autocomplete=\"off\"></label>"
           "<label>CA file (https)<input type=\"text\" name=\"ca_file\" "
           "placeholder=\"/etc/ferry/prod-ca.pem\"></label>"
           "<button class=\"primary\" type=\"submit\">Register</button></form>"
           "<div class=\"form-result\" role=\"alert\"></div>";
}

// The runtimes registered here, each as its own admin API answers (one look each).
boost::asio::awaitable<std::string> registered_runtimes(const routed_request& r) {
    std::string out =
        "<section class=\"panel\"><h2>Registered runtimes</h2><p class=\"hint\">Other ferry "
        "runtimes this console manages — a test and a production server, say — called with "
        "the admin credentials given here (kept in DATA/runtimes.json, readable by its owner "
        "only).</p>";
    const auto listed = co_await read_admin(r, "/_admin/runtimes");
    if (!listed.ok())
        co_return out + tag("p", listed.problem(), "class=\"problem\"") + "</section>";
    const auto& runtimes = listed.body.get_object().at("runtimes").get_array();
    if (runtimes.empty()) {
        out += "<p class=\"empty\">None registered.</p>";
    } else {
        out +=
            "<table class=\"data\"><thead><tr><th>Runtime</th><th>Address</th><th>State</th>"
            "<th>Version</th><th>Listeners</th><th>Problem</th><th></th></tr></thead><tbody>";
        for (const auto& entry : runtimes) {
            const auto name = text_of(entry.get_object().at("name"));
            const auto target = "/_admin/runtimes/" + url_encode(name) + "/overview";
            const auto overview = co_await read_admin(r, target);
            std::string state = "unreachable";
            std::string version;
            std::string listeners;
            std::string problem = overview.ok() ? "" : overview.problem();
            if (overview.ok()) {
                const auto& o = overview.body.get_object();
                if (const auto& status = o.at("status"); status.is_object()) {
                    state = text_of(status.get_object().at("status"));
                    if (const auto* v = status.get_object().if_contains("version")) {
                        version = text_of(*v);
                    }
                }
                if (const auto* list = o.if_contains("listeners"); list && list->is_array()) {
                    std::map<std::string, int> by_state;
                    for (const auto& l : list->get_array()) {
                        ++by_state[text_of(l.get_object().at("state"))];
                    }
                    for (const auto& [s, n] : by_state) {
                        listeners += (listeners.empty() ? "" : ", ") + std::to_string(n) + " " + s;
                    }
                }
                problem = text_of(o.at("error"));
            }
            out += "<tr><td>" + link("/_console/runtimes/" + url_encode(name), name) + "</td>" +
                   tag("td", text_of(entry.get_object().at("url")), "class=\"mono\"") + "<td>" +
                   badge(state) + "</td>" + tag("td", version) + tag("td", listeners) +
                   tag("td", problem, "class=\"error\"") + "<td class=\"toolbar\">" +
                   action_button({.label = "Remove",
                                  .url = "/_admin/runtimes/" + url_encode(name),
                                  .method = "DELETE",
                                  .confirm = "Forget the runtime " + name +
                                             " and its credentials? The runtime itself is not "
                                             "touched.",
                                  .style = "danger"}) +
                   "</td></tr>";
        }
        out += "</tbody></table>";
    }
    co_return out + registration_form() + "</section>";
}

}  // namespace

page runtimes_page(routed_request r) {
    const auto status = co_await read_admin(r, "/_admin/status");
    const auto listeners = co_await read_admin(r, "/_admin/listeners");
    const auto stats = r.svc.gateway->stats();
    std::string body = "<section class=\"panel\"><h2>This runtime</h2><dl class=\"facts\">";
    const auto state = status.body.is_object() ? text_of(status.body.get_object().at("status"))
                                               : std::string("unknown");
    body += tag("dt", "State") + "<dd>" + badge(state) + "</dd>";
    body += tag("dt", "Version") + tag("dd", std::string(ferry_version()));
    body += tag("dt", "Store") + tag("dd", stats.cluster ? "cluster (NATS JetStream) with a local "
                                                           "store"
                                                         : "embedded RocksDB");
    std::size_t serving = 0;
    if (listeners.ok()) {
        for (const auto& l : listeners.body.get_object().at("listeners").get_array()) {
            serving += text_of(l.get_object().at("state")) == "listening";
        }
    }
    body += tag("dt", "Listeners") + "<dd>" +
            link("/_console/listeners", std::to_string(serving) + " listening") + "</dd>";
    body +=
        tag("dt", "Executions") + tag("dd", std::to_string(stats.executor.running) + " running, " +
                                                std::to_string(stats.backlog) + " queued");
    body += "</dl></section>";

    body += "<section class=\"panel\"><h2>Cluster</h2>";
    const auto nodes = co_await read_admin(r, "/_admin/nodes");
    if (nodes.status == 404) {
        body += "<p class=\"empty\">This runtime is not part of a cluster (embedded mode).</p>";
    } else if (!nodes.ok()) {
        body += "<p class=\"problem\">" + escape(nodes.problem()) + "</p>";
    } else {
        body +=
            "<table class=\"data\"><thead><tr><th>Member</th><th>Kind</th><th>State</th>"
            "<th>Host</th><th class=\"num\">Threads</th><th class=\"num\">In flight</th>"
            "<th class=\"num\">Succeeded</th><th class=\"num\">Failed</th><th class=\"num\">"
            "Heard</th></tr></thead><tbody>";
        for (const auto& n : nodes.body.get_object().at("nodes").get_array()) {
            const auto& o = n.get_object();
            body += "<tr>" + tag("td", text_of(o.at("name")), "class=\"mono\"") +
                    tag("td", text_of(o.at("kind"))) + "<td>" + badge(text_of(o.at("state"))) +
                    "</td>" + tag("td", text_of(o.at("host")));
            for (const char* field : {"threads", "in_flight", "succeeded", "failed"}) {
                body += tag("td", text_of(o.at(field)), "class=\"num\"");
            }
            body += tag("td", text_of(o.at("heard_ms_ago")) + " ms ago", "class=\"num\"") + "</tr>";
        }
        body += "</tbody></table>";
    }
    body += "</section>";
    body += co_await registered_runtimes(r);
    co_return page_response(r, section::runtimes, "Runtimes", body);
}

}  // namespace ferry::ingress::console
