// GET /_console/runtimes/{name}: a registered runtime's overview and listeners, read from its
// own admin API (GET /_admin/runtimes/{name}/overview), and its processes.
#include "console/admin_reader.hpp"
#include "console/console_pages.hpp"
#include "console/html.hpp"
#include "console/page.hpp"

namespace ferry::ingress::console {

page runtime_page(routed_request r) {
    const auto& name = r.param("name");
    const auto target = "/_admin/runtimes/" + url_encode(name) + "/overview";
    const auto overview = co_await read_admin(r, target);
    if (!overview.ok()) {
        co_return error_page(r, section::runtimes, static_cast<http::status>(overview.status),
                             "unknown_runtime", overview.problem());
    }
    const auto& o = overview.body.get_object();
    std::string body = "<p>" + link("/_console/runtimes", "← Runtimes") + "</p>";
    body += "<section class=\"panel\"><dl class=\"facts\">";
    body += tag("dt", "Address") + tag("dd", text_of(o.at("url")), "class=\"mono\"");
    body += tag("dt", "Signed in as") + tag("dd", text_of(o.at("user")));
    std::string state = "unreachable";
    std::string version;
    if (const auto& status = o.at("status"); status.is_object()) {
        state = text_of(status.get_object().at("status"));
        if (const auto* v = status.get_object().if_contains("version")) version = text_of(*v);
    }
    body += tag("dt", "State") + "<dd>" + badge(state) + "</dd>";
    if (!version.empty()) body += tag("dt", "Version") + tag("dd", version);
    if (const auto error = text_of(o.at("error")); !error.empty()) {
        body += tag("dt", "Problem") + tag("dd", error, "class=\"error\"");
    }
    body += "</dl></section>";

    body += "<section class=\"panel\"><h2>Listeners</h2>";
    if (const auto* listeners = o.if_contains("listeners"); listeners && listeners->is_array()) {
        body +=
            "<table class=\"data\"><thead><tr><th>Process</th><th>Called at</th><th>State</th>"
            "<th>Last error</th></tr></thead><tbody>";
        for (const auto& l : listeners->get_array()) {
            const auto& listener = l.get_object();
            const auto path = text_of(listener.at("path"));
            body += "<tr>" +
                    tag("td",
                        text_of(listener.at("process")) + " v" + text_of(listener.at("version"))) +
                    tag("td", path.empty() ? "queue " + text_of(listener.at("queue")) : path,
                        "class=\"mono\"") +
                    "<td>" + badge(text_of(listener.at("state"))) + "</td>" +
                    tag("td", text_of(listener.at("error")), "class=\"error\"") + "</tr>";
        }
        body += "</tbody></table>";
    } else {
        body += "<p class=\"empty\">Not known: the runtime did not answer.</p>";
    }
    body += "</section><section class=\"panel\"><h2>Processes</h2>";
    if (const auto* processes = o.if_contains("processes"); processes && processes->is_array()) {
        body +=
            "<table class=\"data\"><thead><tr><th>Process</th><th>Version</th><th>State</th>"
            "<th>File</th></tr></thead><tbody>";
        for (const auto& p : processes->get_array()) {
            const auto& process = p.get_object();
            body += "<tr>" + tag("td", text_of(process.at("process"))) +
                    tag("td", "v" + text_of(process.at("version"))) + "<td>" +
                    badge(process.at("active").as_bool() ? "active" : "inactive") + "</td>" +
                    tag("td", text_of(process.at("file")), "class=\"mono\"") + "</tr>";
        }
        body +=
            "</tbody></table><p class=\"hint\">Deploy a version of this runtime's processes "
            "there from " +
            link("/_console/processes", "Processes") + ".</p>";
    } else {
        body += "<p class=\"empty\">Not known: the runtime did not answer.</p>";
    }
    body += "</section>";
    co_return page_response(r, section::runtimes, "Runtime " + name, body);
}

}  // namespace ferry::ingress::console
