// The admin API for APIs (docs/admin-api.md, docs/apis.md): /_admin/apis lists the known
// versions, undeploys and activates them. Deploying one is POST /_admin/apis (or
// /_admin/processes): deploy_handler.cpp takes a definition of either kind.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "admin/admin_api.hpp"
#include "http/responses.hpp"

namespace ferry::ingress {
namespace {

boost::json::value text_or_null(const std::string& text) {
    return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

response json_ok(const boost::json::object& body, const request& req) {
    return json_response(http::status::ok, boost::json::serialize(body), req.version(),
                         req.keep_alive());
}

}  // namespace

boost::json::object api_json(const engine::api_definition& api) {
    boost::json::object out;
    out["api"] = api.name;
    out["version"] = api.version;
    out["title"] = text_or_null(api.title);
    out["base_path"] = api.base_path;
    out["rest"] = "/ws/rest/" + api.base_path;
    boost::json::array routes;
    for (const auto& route : api.routes) {
        boost::json::object r;
        r["method"] = route.method;
        r["path"] = route.path;
        r["operation"] = route.operation;
        routes.push_back(std::move(r));
    }
    out["routes"] = std::move(routes);
    boost::json::array soap;
    for (const auto& operation : api.soap_operations) soap.emplace_back(operation);
    out["soap_operations"] = std::move(soap);
    if (api.deprecated) {
        boost::json::object d;
        d["sunset"] = text_or_null(api.deprecated->sunset);
        d["successor"] = text_or_null(api.deprecated->successor);
        out["deprecated"] = std::move(d);
    } else {
        out["deprecated"] = nullptr;
    }
    out["file"] = api.source_file;
    return out;
}

boost::asio::awaitable<response> list_apis(routed_request r) {
    boost::json::array list;
    for (const auto& v : r.svc.gateway->api_versions()) {
        auto o = api_json(*v.api);
        o["active"] = v.active;
        o["source"] = v.source;
        o["deployed_ms"] = v.deployed_ms;
        list.push_back(std::move(o));
    }
    boost::json::object body;
    body["apis"] = std::move(list);
    co_return json_ok(body, r.req);
}

boost::asio::awaitable<response> undeploy_api(routed_request r) {
    const auto& name = r.param("name");
    std::optional<std::uint32_t> version;
    if (const auto& text = r.param("version"); !text.empty()) {
        version = parse_version(text);
        if (!version) {
            co_return error_response(http::status::bad_request, "invalid_version",
                                     "'" + text + "' is not a version number", r.req);
        }
    }
    if (auto undeployed = co_await r.svc.gateway->undeploy_api(name, version); !undeployed) {
        co_return refusal_response(undeployed.error(), r.req);
    }
    boost::json::object body;
    body["api"] = name;
    body["version"] = version ? boost::json::value(*version) : boost::json::value(nullptr);
    body["undeployed"] = true;
    co_return json_ok(body, r.req);
}

boost::asio::awaitable<response> activate_api_version(routed_request r) {
    const auto version = parse_version(r.param("version"));
    if (!version) {
        co_return error_response(http::status::bad_request, "invalid_version",
                                 "'" + r.param("version") + "' is not a version number", r.req);
    }
    const auto allow = r.target.params().find("allow_breaking");
    const bool allow_breaking = allow != r.target.params().end() && (*allow).value == "true";
    const auto activated =
        co_await r.svc.gateway->activate_api(r.param("name"), *version, allow_breaking);
    if (!activated) co_return refusal_response(activated.error(), r.req);
    auto body = api_json(*activated->api);
    body["active"] = true;
    body["changed"] = activated->changed;
    body["replaced_version"] = activated->replaced ? boost::json::value(*activated->replaced)
                                                   : boost::json::value(nullptr);
    co_return json_ok(body, r.req);
}

}  // namespace ferry::ingress
