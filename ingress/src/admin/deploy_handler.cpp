// The admin API for deployment (docs/admin-api.md): /_admin/processes (deploy, list,
// activate, undeploy) and /_admin/listeners (list, pause, resume, restart).
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "admin/admin_api.hpp"
#include "http/responses.hpp"

namespace ferry::ingress {
namespace {

// An operation name or a queue name; null when the process has none of that kind.
boost::json::value name_or_null(const std::string& name) {
    return name.empty() ? boost::json::value(nullptr) : boost::json::value(name);
}

boost::json::object outcome_json(const engine::deploy_outcome& o) {
    boost::json::object body;
    if (o.api) {
        body = api_json(*o.api);
        body["active"] = o.active;
        body["changed"] = o.changed;
        body["replaced_version"] =
            o.replaced ? boost::json::value(*o.replaced) : boost::json::value(nullptr);
        return body;
    }
    body["process"] = o.deployed->name;
    body["version"] = o.deployed->version;
    body["operation"] = name_or_null(o.deployed->listen.operation_name());
    body["queue"] = name_or_null(o.deployed->listen.queue);
    body["active"] = o.active;
    body["changed"] = o.changed;
    body["replaced_version"] =
        o.replaced ? boost::json::value(*o.replaced) : boost::json::value(nullptr);
    return body;
}

response outcome_response(const engine::refused_or<engine::deploy_outcome>& result,
                          const request& req) {
    if (!result) return refusal_response(result.error(), req);
    const auto& o = *result;
    return json_response(o.changed ? http::status::created : http::status::ok,
                         boost::json::serialize(outcome_json(o)), req.version(), req.keep_alive());
}

boost::json::object listener_json(const engine::listener_status& l) {
    boost::json::object out;
    out["process"] = l.process;
    out["operation"] = name_or_null(l.operation);
    out["queue"] = name_or_null(l.queue);
    out["path"] = l.operation.empty() ? boost::json::value(nullptr)
                                      : boost::json::value("/ws/simple/" + l.operation);
    out["version"] = l.version;
    out["state"] = l.state;
    out["since_ms"] = l.since_ms;
    out["error"] = l.error.empty() ? boost::json::value(nullptr) : boost::json::value(l.error);
    return out;
}

// A true/false query parameter (`fallback` when absent); nullopt for anything else.
std::optional<bool> flag_parameter(const boost::urls::url_view& target, std::string_view name,
                                   bool fallback) {
    const auto it = target.params().find(name);
    if (it == target.params().end()) return fallback;
    if ((*it).value == "true") return true;
    if ((*it).value == "false") return false;
    return std::nullopt;
}

}  // namespace

std::optional<std::uint32_t> parse_version(std::string_view text) {
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return v;
}

boost::asio::awaitable<response> list_processes(routed_request r) {
    boost::json::array list;
    for (const auto& v : r.svc.gateway->versions()) {
        boost::json::object o;
        o["process"] = v.process;
        o["version"] = v.version;
        o["operation"] = name_or_null(v.operation);
        o["queue"] = name_or_null(v.queue);
        o["active"] = v.active;
        o["source"] = v.source;
        o["file"] = v.file;
        o["deployed_ms"] = v.deployed_ms;
        list.push_back(std::move(o));
    }
    boost::json::object body;
    body["processes"] = std::move(list);
    co_return json_response(http::status::ok, boost::json::serialize(body), r.req.version(),
                            r.req.keep_alive());
}

boost::asio::awaitable<response> deploy_process(routed_request r) {
    // ?activate=false keeps a new version without serving it; ?allow_breaking=true replaces
    // an API version even when its callers would break.
    const auto activate = flag_parameter(r.target, "activate", true);
    const auto allow_breaking = flag_parameter(r.target, "allow_breaking", false);
    if (!activate || !allow_breaking) {
        co_return error_response(http::status::bad_request, "invalid_query",
                                 "activate and allow_breaking are true or false", r.req);
    }
    if (r.req.body().empty()) {
        co_return error_response(http::status::bad_request, "empty_definition",
                                 "post the process or API definition (YAML) as the body", r.req);
    }
    std::string file = "deployed.yaml";
    if (const auto it = r.target.params().find("file"); it != r.target.params().end()) {
        file = std::string((*it).value);
    }
    co_return outcome_response(
        co_await r.svc.gateway->deploy(std::move(r.req.body()), std::move(file), *activate,
                                       *allow_breaking),
        r.req);
}

boost::asio::awaitable<response> undeploy_process(routed_request r) {
    const auto& name = r.param("name");
    if (auto undeployed = co_await r.svc.gateway->undeploy(name); !undeployed)
        co_return refusal_response(undeployed.error(), r.req);
    boost::json::object body;
    body["process"] = name;
    body["undeployed"] = true;
    co_return json_response(http::status::ok, boost::json::serialize(body), r.req.version(),
                            r.req.keep_alive());
}

boost::asio::awaitable<response> show_process_version(routed_request r) {
    const auto version = parse_version(r.param("version"));
    if (!version) {
        co_return error_response(http::status::bad_request, "invalid_version",
                                 "'" + r.param("version") + "' is not a version number", r.req);
    }
    const auto& name = r.param("name");
    const auto known = r.svc.gateway->current_registry()->version(name, *version);
    if (!known) {
        co_return error_response(http::status::not_found, "unknown_version",
                                 "process '" + name + "' has no version " + r.param("version"),
                                 r.req);
    }
    boost::json::object body;
    body["process"] = name;
    body["version"] = *version;
    const auto serving = r.svc.gateway->current_registry()->by_name(name);
    body["active"] = serving && serving->version == *version;
    body["file"] = known->source_file;
    body["definition"] = known->source_text;
    co_return json_response(http::status::ok, boost::json::serialize(body), r.req.version(),
                            r.req.keep_alive());
}

boost::asio::awaitable<response> activate_process_version(routed_request r) {
    const auto version = parse_version(r.param("version"));
    if (!version) {
        co_return error_response(http::status::bad_request, "invalid_version",
                                 "'" + r.param("version") + "' is not a version number", r.req);
    }
    co_return outcome_response(co_await r.svc.gateway->activate(r.param("name"), *version), r.req);
}

boost::asio::awaitable<response> list_listeners(routed_request r) {
    boost::json::array list;
    for (const auto& l : r.svc.gateway->listeners()) list.push_back(listener_json(l));
    boost::json::object body;
    body["listeners"] = std::move(list);
    co_return json_response(http::status::ok, boost::json::serialize(body), r.req.version(),
                            r.req.keep_alive());
}

boost::asio::awaitable<response> change_listener(routed_request r,
                                                 engine::gateway::listener_action what) {
    const auto changed = co_await r.svc.gateway->change_listener(r.param("name"), what);
    if (!changed) co_return refusal_response(changed.error(), r.req);
    co_return json_response(http::status::ok, boost::json::serialize(listener_json(*changed)),
                            r.req.version(), r.req.keep_alive());
}

}  // namespace ferry::ingress
