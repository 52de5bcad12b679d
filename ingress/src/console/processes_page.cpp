// GET /_console/processes: every process and its versions; deploy by upload, activate (roll
// forward or back), undeploy; and the YAML diff between two versions.
#include <map>

#include "admin/execution_json.hpp"
#include "console/admin_reader.hpp"
#include "console/console_pages.hpp"
#include "console/html.hpp"
#include "console/page.hpp"
#include "console/text_diff.hpp"

namespace ferry::ingress::console {
namespace {

std::string upload_form() {
    return "<section class=\"panel\"><h2>Deploy</h2><p class=\"hint\">A process or API "
           "definition (YAML). A new version replaces the serving one at once unless you untick "
           "“serve at once”; a definition that does not load is refused with its line and "
           "column.</p><form class=\"upload\" data-deploy=\"/_admin/processes\">"
           "<input type=\"file\" name=\"definition\" accept=\".yaml,.yml\" aria-label=\"definition "
           "file\">"
           "<label><input type=\"checkbox\" name=\"activate\" checked> serve at once</label>"
           "<button class=\"primary\" type=\"submit\">Deploy</button></form>"
           "<div class=\"deploy-result\" role=\"alert\"></div></section>";
}

// "Deploy to <runtime>": this version sent to a registered runtime's admin API.
std::string deploy_to_form(const std::string& name, std::uint32_t version,
                           const std::vector<std::string>& runtimes) {
    if (runtimes.empty()) return {};
    std::string out = "<form class=\"inline\" data-deploy-to=\"" +
                      escape("/_admin/runtimes/{}/deploy?process=" + url_encode(name) +
                             "&version=" + std::to_string(version)) +
                      "\"><select name=\"runtime\" aria-label=\"runtime\">";
    for (const auto& runtime : runtimes) out += tag("option", runtime);
    return out + "</select><button type=\"submit\">Deploy to</button></form>";
}

std::string version_row(const std::string& name, const boost::json::object& v,
                        std::uint32_t active_version, const std::vector<std::string>& runtimes) {
    const auto version = static_cast<std::uint32_t>(v.at("version").to_number<std::int64_t>());
    const bool active = v.at("active").as_bool();
    std::string row = "<tr><td>" + tag("strong", "v" + std::to_string(version)) + "</td><td>" +
                      badge(active ? "active" : "inactive") + "</td>";
    row += tag("td", text_of(v.at("source")));
    row += tag("td", text_of(v.at("file")), "class=\"mono\"");
    row += tag("td", short_time(timestamp(v.at("deployed_ms").to_number<std::int64_t>())),
               "class=\"mono\"");
    row += "<td class=\"toolbar\">";
    const auto base =
        "/_admin/processes/" + url_encode(name) + "/versions/" + std::to_string(version);
    if (!active) {
        const bool back = active_version != 0 && version < active_version;
        row += action_button(
            {.label = back ? "Roll back to this" : "Activate",
             .url = base + "/activate",
             .confirm = "Serve " + name + " version " + std::to_string(version) + " from now on?"});
    }
    if (active_version != 0 && version != active_version) {
        row += link("/_console/processes/" + url_encode(name) + "/diff?from=" +
                        std::to_string(version) + "&to=" + std::to_string(active_version),
                    "Diff with active", "class=\"button\"");
    }
    row += deploy_to_form(name, version, runtimes);
    return row + "</td></tr>";
}

}  // namespace

page processes_page(routed_request r) {
    const auto processes = co_await read_admin(r, "/_admin/processes");
    if (!processes.ok()) {
        co_return error_page(r, section::processes, static_cast<http::status>(processes.status),
                             "processes", processes.problem());
    }
    // Versions by process, in the admin API's order.
    std::map<std::string, std::vector<const boost::json::object*>> by_name;
    for (const auto& v : processes.body.get_object().at("processes").get_array()) {
        by_name[text_of(v.get_object().at("process"))].push_back(&v.get_object());
    }
    std::vector<std::string> runtimes;
    if (const auto registered = co_await read_admin(r, "/_admin/runtimes"); registered.ok()) {
        for (const auto& entry : registered.body.get_object().at("runtimes").get_array()) {
            runtimes.push_back(text_of(entry.get_object().at("name")));
        }
    }
    std::string body = upload_form();
    if (by_name.empty()) body += "<p class=\"empty\">No process is deployed.</p>";
    for (const auto& [name, versions] : by_name) {
        std::uint32_t active_version = 0;
        std::string served;
        for (const auto* v : versions) {
            if (v->at("active").as_bool()) {
                active_version =
                    static_cast<std::uint32_t>(v->at("version").to_number<std::int64_t>());
            }
            const auto operation = text_of(v->at("operation"));
            served =
                operation.empty() ? "queue " + text_of(v->at("queue")) : "operation " + operation;
        }
        body += "<section class=\"panel\"><div class=\"toolbar\">" + tag("h2", name) +
                tag("span", served, "class=\"muted\"") + "<span class=\"spacer\"></span>" +
                link("/_console/executions?process=" + url_encode(name), "Executions",
                     "class=\"button\"");
        if (active_version != 0) {
            body += action_button({.label = "Undeploy",
                                   .url = "/_admin/processes/" + url_encode(name),
                                   .method = "DELETE",
                                   .confirm = "Undeploy " + name +
                                              "? Its operation stops being served; stored "
                                              "executions still run.",
                                   .style = "danger"});
        }
        body +=
            "</div><table class=\"data\"><thead><tr><th>Version</th><th>State</th>"
            "<th>Source</th><th>File</th><th>Deployed (UTC)</th><th></th></tr></thead><tbody>";
        for (const auto* v : versions) body += version_row(name, *v, active_version, runtimes);
        body += "</tbody></table></section>";
    }
    co_return page_response(r, section::processes, "Processes", body);
}

page process_diff_page(routed_request r) {
    const auto& name = r.param("name");
    const auto param = [&](std::string_view key) {
        const auto it = r.target.params().find(key);
        return it == r.target.params().end() ? std::string() : std::string((*it).value);
    };
    const auto from = param("from");
    const auto to = param("to");
    const auto base = "/_admin/processes/" + url_encode(name) + "/versions/";
    const auto before = co_await read_admin(r, base + url_encode(from));
    const auto after = co_await read_admin(r, base + url_encode(to));
    const auto title = name + ": version " + from + " → " + to;
    for (const auto* answer : {&before, &after}) {
        if (!answer->ok()) {
            co_return error_page(r, section::processes, static_cast<http::status>(answer->status),
                                 "unknown_version", answer->problem());
        }
    }
    const auto old_text = text_of(before.body.get_object().at("definition"));
    const auto new_text = text_of(after.body.get_object().at("definition"));
    std::string body = "<p>" + link("/_console/processes", "← Processes") + "</p>";
    // Any two known versions.
    std::vector<std::string> versions;
    if (const auto known = co_await read_admin(r, "/_admin/processes"); known.ok()) {
        for (const auto& v : known.body.get_object().at("processes").get_array()) {
            if (text_of(v.get_object().at("process")) == name) {
                versions.push_back(text_of(v.get_object().at("version")));
            }
        }
    }
    const auto choice = [&](std::string_view field, std::string_view label,
                            const std::string& current) {
        std::string out = "<label>" + escape(label) + "<select name=\"" + escape(field) + "\">";
        for (const auto& v : versions) {
            out += "<option value=\"" + escape(v) + "\"" + (v == current ? " selected" : "") +
                   ">version " + escape(v) + "</option>";
        }
        return out + "</select></label>";
    };
    body += "<form class=\"filters\" method=\"get\">" + choice("from", "From", from) +
            choice("to", "To", to) + "<button type=\"submit\">Compare</button></form>";
    const auto lines = diff_lines(old_text, new_text);
    if (!lines) {
        body += "<p class=\"problem\">These definitions are too long to compare here.</p>";
        co_return page_response(r, section::processes, title, body);
    }
    std::size_t changed = 0;
    for (const auto& l : *lines) changed += l.what != diff_line::kind::same;
    body += "<div class=\"toolbar\">" +
            tag("span", std::to_string(changed) + " lines differ", "class=\"muted\"") +
            "<button type=\"button\" data-fold=\"diff\">Show changes only</button></div>";
    body += "<table class=\"data diff\" id=\"diff\"><tbody>";
    for (const auto& l : *lines) {
        const char* cls = l.what == diff_line::kind::same      ? "same"
                          : l.what == diff_line::kind::removed ? "del"
                                                               : "add";
        const char* sign = l.what == diff_line::kind::same      ? " "
                           : l.what == diff_line::kind::removed ? "-"
                                                                : "+";
        body += std::string("<tr class=\"") + cls + "\">" +
                tag("td", l.old_number ? std::to_string(l.old_number) : "", "class=\"ln\"") +
                tag("td", l.new_number ? std::to_string(l.new_number) : "", "class=\"ln\"") +
                tag("td", std::string(sign) + " " + std::string(l.text)) + "</tr>";
    }
    body += "</tbody></table>";
    co_return page_response(r, section::processes, title, body);
}

}  // namespace ferry::ingress::console
