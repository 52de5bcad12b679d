// The admin API for deployment (docs/admin-api.md): /_admin/processes (deploy, list,
// activate, undeploy) and /_admin/listeners (list, pause, resume, restart).
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <charconv>

#include "handlers.hpp"
#include "responses.hpp"

namespace ferry::ingress {
namespace {

constexpr std::string_view processes_prefix = "/_admin/processes/";
constexpr std::string_view listeners_prefix = "/_admin/listeners/";

// An operation name or a queue name; null when the process has none of that kind.
boost::json::value name_or_null(const std::string& name) {
    return name.empty() ? boost::json::value(nullptr) : boost::json::value(name);
}

boost::json::object outcome_json(const engine::deploy_outcome& o) {
    boost::json::object body;
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

response outcome_response(const std::variant<engine::deploy_outcome, engine::refusal>& result,
                          const request& req) {
    if (const auto* r = std::get_if<engine::refusal>(&result)) return refusal_response(*r, req);
    const auto& o = std::get<engine::deploy_outcome>(result);
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

// ?activate=false keeps a new version without serving it; anything else but true is a mistake.
std::optional<bool> activate_parameter(const boost::urls::url_view& target) {
    const auto it = target.params().find("activate");
    if (it == target.params().end()) return true;
    if ((*it).value == "true") return true;
    if ((*it).value == "false") return false;
    return std::nullopt;
}

std::optional<std::uint32_t> parse_version(std::string_view text) {
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return v;
}

std::vector<std::string> segments_after(std::string_view path, std::string_view prefix) {
    std::vector<std::string> out;
    auto rest = path.substr(prefix.size());
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        out.emplace_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
        if (rest.empty()) out.emplace_back();
    }
    return out;
}

}  // namespace

bool is_deployment_path(std::string_view path) {
    return path == "/_admin/processes" || path == "/_admin/listeners" ||
           path.starts_with(processes_prefix) || path.starts_with(listeners_prefix);
}

boost::asio::awaitable<response> handle_deployment(request req, service& svc) {
    const auto target = boost::urls::parse_origin_form(req.target());
    const std::string path = target->path();
    if (path == "/_admin/processes") {
        if (req.method() == http::verb::get) {
            boost::json::array list;
            for (const auto& v : svc.gateway->versions()) {
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
            co_return json_response(http::status::ok, boost::json::serialize(body), req.version(),
                                    req.keep_alive());
        }
        if (req.method() != http::verb::post) co_return method_not_allowed(req, "GET, POST");
        const auto activate = activate_parameter(*target);
        if (!activate) {
            co_return error_response(http::status::bad_request, "invalid_query",
                                     "activate must be true or false", req);
        }
        if (req.body().empty()) {
            co_return error_response(http::status::bad_request, "empty_definition",
                                     "post the process definition (YAML) as the body", req);
        }
        std::string file = "deployed.yaml";
        if (const auto it = target->params().find("file"); it != target->params().end()) {
            file = std::string((*it).value);
        }
        co_return outcome_response(
            co_await svc.gateway->deploy(std::move(req.body()), std::move(file), *activate), req);
    }
    if (path.starts_with(processes_prefix)) {
        const auto parts = segments_after(path, processes_prefix);
        // <name>
        if (parts.size() == 1 && !parts[0].empty()) {
            if (req.method() != http::verb::delete_) co_return method_not_allowed(req, "DELETE");
            if (auto r = co_await svc.gateway->undeploy(parts[0]))
                co_return refusal_response(*r, req);
            boost::json::object body;
            body["process"] = parts[0];
            body["undeployed"] = true;
            co_return json_response(http::status::ok, boost::json::serialize(body), req.version(),
                                    req.keep_alive());
        }
        // <name>/versions/<version>/activate
        if (parts.size() == 4 && parts[1] == "versions" && parts[3] == "activate") {
            if (req.method() != http::verb::post) co_return method_not_allowed(req, "POST");
            const auto version = parse_version(parts[2]);
            if (!version) {
                co_return error_response(http::status::bad_request, "invalid_version",
                                         "'" + parts[2] + "' is not a version number", req);
            }
            co_return outcome_response(co_await svc.gateway->activate(parts[0], *version), req);
        }
    }
    if (path == "/_admin/listeners") {
        if (req.method() != http::verb::get) co_return method_not_allowed(req, "GET");
        boost::json::array list;
        for (const auto& l : svc.gateway->listeners()) list.push_back(listener_json(l));
        boost::json::object body;
        body["listeners"] = std::move(list);
        co_return json_response(http::status::ok, boost::json::serialize(body), req.version(),
                                req.keep_alive());
    }
    if (path.starts_with(listeners_prefix)) {
        const auto parts = segments_after(path, listeners_prefix);
        using action = engine::gateway::listener_action;
        if (parts.size() == 2 && !parts[0].empty() &&
            (parts[1] == "pause" || parts[1] == "resume" || parts[1] == "restart")) {
            if (req.method() != http::verb::post) co_return method_not_allowed(req, "POST");
            const auto what = parts[1] == "pause"    ? action::pause
                              : parts[1] == "resume" ? action::resume
                                                     : action::restart;
            const auto changed = co_await svc.gateway->change_listener(parts[0], what);
            if (const auto* r = std::get_if<engine::refusal>(&changed))
                co_return refusal_response(*r, req);
            co_return json_response(
                http::status::ok,
                boost::json::serialize(listener_json(std::get<engine::listener_status>(changed))),
                req.version(), req.keep_alive());
        }
    }
    co_return error_response(http::status::not_found, "not_found", "no endpoint at " + path, req);
}

}  // namespace ferry::ingress
