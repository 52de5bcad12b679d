// GET /_console/apis[?api=NAME&version=N]: every API version, its base path, deprecation and
// routes with their live rates; the chosen version's OpenAPI document, rendered here from the
// document ferry serves at <base path>/openapi.json.
#include <boost/json/serialize.hpp>
#include <cctype>

#include "admin/execution_json.hpp"
#include "console/admin_reader.hpp"
#include "console/console_pages.hpp"
#include "console/html.hpp"
#include "console/page.hpp"
#include "ferry/engine/apis/openapi.hpp"
#include "service.hpp"

namespace ferry::ingress::console {
namespace {

std::string upper(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string schema_summary(const boost::json::value& schema) {
    if (!schema.is_object()) return {};
    const auto& o = schema.get_object();
    if (const auto* ref = o.if_contains("$ref")) {
        const auto text = text_of(*ref);
        return text.substr(text.rfind('/') + 1);
    }
    std::string out = o.contains("type") ? text_of(o.at("type")) : std::string("value");
    if (const auto* format = o.if_contains("format")) out += " (" + text_of(*format) + ")";
    if (const auto* values = o.if_contains("enum")) out += " " + boost::json::serialize(*values);
    return out;
}

// What a "$ref": "#/components/<kind>/<name>" points at in `doc` (the value itself when it
// is no reference).
const boost::json::value& resolved(const boost::json::object& doc, const boost::json::value& v) {
    if (!v.is_object()) return v;
    const auto* ref = v.get_object().if_contains("$ref");
    if (!ref || !ref->is_string()) return v;
    const std::string_view path = ref->get_string();
    static constexpr std::string_view prefix = "#/components/";
    if (!path.starts_with(prefix)) return v;
    const auto rest = path.substr(prefix.size());
    const auto slash = rest.find('/');
    const auto* components = doc.if_contains("components");
    if (slash == std::string_view::npos || !components || !components->is_object()) return v;
    const auto* kind = components->get_object().if_contains(rest.substr(0, slash));
    if (!kind || !kind->is_object()) return v;
    const auto* target = kind->get_object().if_contains(rest.substr(slash + 1));
    return target ? *target : v;
}

std::string description_of(const boost::json::value& v) {
    return v.is_object() && v.get_object().contains("description")
               ? text_of(v.get_object().at("description"))
               : std::string();
}

// The operations of an OpenAPI document as a readable list: method, path, summary,
// parameters, request body and answers (references resolved).
std::string render_openapi(const boost::json::object& doc) {
    std::string out;
    const auto* paths = doc.if_contains("paths");
    if (!paths || !paths->is_object()) return "<p class=\"empty\">No routes.</p>";
    for (const auto& [path, item] : paths->get_object()) {
        for (const auto& [method, op_value] : item.get_object()) {
            if (!op_value.is_object()) continue;
            const auto& op = op_value.get_object();
            out += "<div class=\"doc\"><header>" + tag("strong", upper(method)) +
                   tag("span", path, "class=\"mono\"") +
                   (op.contains("summary") ? tag("span", text_of(op.at("summary"))) : "") +
                   (op.contains("deprecated") && op.at("deprecated").as_bool() ? badge("deprecated")
                                                                               : "") +
                   "</header>";
            if (const auto* description = op.if_contains("description")) {
                out += tag("p", text_of(*description), "class=\"hint\"");
            }
            if (const auto* params = op.if_contains("parameters"); params && params->is_array()) {
                out +=
                    "<table class=\"data\"><thead><tr><th>Parameter</th><th>In</th><th>"
                    "Type</th><th>Required</th></tr></thead><tbody>";
                for (const auto& p : params->get_array()) {
                    const auto& param_value = resolved(doc, p);
                    if (!param_value.is_object()) continue;
                    const auto& param = param_value.get_object();
                    if (!param.contains("name")) continue;
                    out += "<tr>" + tag("td", text_of(param.at("name")), "class=\"mono\"") +
                           tag("td", text_of(param.at("in"))) +
                           tag("td", param.contains("schema") ? schema_summary(param.at("schema"))
                                                              : std::string()) +
                           tag("td", param.contains("required") && param.at("required").as_bool()
                                         ? "yes"
                                         : "no") +
                           "</tr>";
                }
                out += "</tbody></table>";
            }
            if (const auto* request = op.if_contains("requestBody");
                request && request->is_object()) {
                std::string types;
                if (const auto* content = request->get_object().if_contains("content")) {
                    for (const auto& [type, media] : content->get_object()) {
                        types += (types.empty() ? "" : ", ") + std::string(type);
                    }
                }
                out += tag("p", "Request body: " + types);
            }
            if (const auto* responses = op.if_contains("responses");
                responses && responses->is_object()) {
                // The answers it is made for first; ferry's refusals folded away.
                std::string success;
                std::string refusals;
                std::size_t refused = 0;
                for (const auto& [code, answer] : responses->get_object()) {
                    const bool made_for = code.starts_with('2');
                    refused += made_for ? 0 : 1;
                    (made_for ? success : refusals) +=
                        "<tr>" + tag("td", std::string(code), "class=\"num\"") +
                        tag("td", description_of(resolved(doc, answer))) + "</tr>";
                }
                const std::string head =
                    "<table class=\"data answers\"><thead><tr><th>Status</th><th>Answer</th>"
                    "</tr></thead><tbody>";
                out += head + success + "</tbody></table>";
                if (refused > 0) {
                    out += "<details><summary>" + std::to_string(refused) +
                           " refusals (the shared error body)</summary>" + head + refusals +
                           "</tbody></table></details>";
                }
            }
            out += "</div>";
        }
    }
    return out;
}

std::string param_of(const routed_request& r, std::string_view key) {
    const auto it = r.target.params().find(key);
    return it == r.target.params().end() ? std::string() : std::string((*it).value);
}

}  // namespace

page apis_page(routed_request r) {
    const auto apis = co_await read_admin(r, "/_admin/apis");
    if (!apis.ok()) {
        co_return error_page(r, section::apis, static_cast<http::status>(apis.status), "apis",
                             apis.problem());
    }
    const auto chosen_api = param_of(r, "api");
    const auto chosen_version = param_of(r, "version");
    const auto& list = apis.body.get_object().at("apis").get_array();
    std::string body = "<div data-live></div>";
    if (list.empty()) {
        body +=
            "<p class=\"empty\">No API is deployed. An API is a YAML file with <code>api:"
            "</code> at the top, deployed like a process (docs/apis.md).</p>";
        co_return page_response(r, section::apis, "APIs", body);
    }
    body +=
        "<table class=\"data\"><thead><tr><th>API</th><th>Version</th><th>State</th><th>Base "
        "path</th><th>Deprecation</th><th>Routes (live rate)</th><th></th></tr></thead><tbody>";
    const boost::json::object* shown = nullptr;
    for (const auto& a : list) {
        const auto& api = a.get_object();
        const auto name = text_of(api.at("api"));
        const auto version = text_of(api.at("version"));
        const bool active = api.at("active").as_bool();
        // Without a choice, the newest active version of the first API.
        const bool newer = shown && text_of(shown->at("api")) == name &&
                           api.at("version").to_number<std::int64_t>() >
                               shown->at("version").to_number<std::int64_t>();
        if ((chosen_api.empty() && active && (!shown || newer)) ||
            (name == chosen_api && version == chosen_version)) {
            shown = &api;
        }
        std::string deprecation = "–";
        if (const auto& d = api.at("deprecated"); d.is_object()) {
            deprecation = badge("deprecated") + " sunset " +
                          escape(text_of(d.get_object().at("sunset"))) +
                          (text_of(d.get_object().at("successor")).empty()
                               ? std::string()
                               : ", successor " + escape(text_of(d.get_object().at("successor"))));
        }
        std::string routes;
        for (const auto& route : api.at("routes").get_array()) {
            const auto& o = route.get_object();
            routes += "<div data-operation=\"" + escape(text_of(o.at("operation"))) + "\">" +
                      tag("span", text_of(o.at("method")) + " " + text_of(o.at("path")),
                          "class=\"mono\"") +
                      " → " + escape(text_of(o.at("operation"))) +
                      " <span class=\"muted\"><span data-rate>0.0</span>/s</span></div>";
        }
        body += "<tr>" + tag("td", name, "class=\"mono nowrap\"") + tag("td", "v" + version) +
                "<td>" + badge(active ? "active" : "inactive") + "</td>" +
                tag("td", text_of(api.at("rest")), "class=\"mono\"") + "<td>" + deprecation +
                "</td><td>" + routes + "</td><td class=\"toolbar\">" +
                link("/_console/apis?api=" + url_encode(name) + "&version=" + version, "OpenAPI",
                     "class=\"button\"");
        if (!active) {
            body += action_button(
                {.label = "Activate",
                 .url = "/_admin/apis/" + url_encode(name) + "/versions/" + version + "/activate",
                 .confirm = "Serve " + name + " version " + version + "?"});
        }
        body += action_button({.label = "Undeploy",
                               .url = "/_admin/apis/" + url_encode(name) + "/versions/" + version,
                               .method = "DELETE",
                               .confirm = "Stop serving " + name + " version " + version + "?",
                               .style = "danger"}) +
                "</td></tr>";
    }
    body += "</tbody></table>";
    if (shown) {
        const auto name = text_of(shown->at("api"));
        const auto version = text_of(shown->at("version"));
        std::shared_ptr<const engine::api_definition> definition;
        for (const auto& v : r.svc.gateway->api_versions()) {
            if (v.api->name == name && std::to_string(v.api->version) == version)
                definition = v.api;
        }
        if (definition) {
            engine::openapi_options options;  // relative server URL: the admin port may differ
            const auto doc =
                engine::write_openapi(*definition, *r.svc.gateway->current_registry(), options);
            body += "<section class=\"panel\"><h2>OpenAPI of " + escape(name) + " v" +
                    escape(version) + "</h2><p class=\"hint\">As served at " +
                    tag("span", text_of(shown->at("rest")) + "/openapi.json", "class=\"mono\"") +
                    " (and openapi.yaml) on the web-service port.</p>" + render_openapi(doc) +
                    "</section>";
        }
    }
    co_return page_response(r, section::apis, "APIs", body);
}

}  // namespace ferry::ingress::console
