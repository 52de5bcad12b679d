// /_admin/runtimes: the other ferry runtimes this one's console manages (docs/admin-api.md,
// "Runtimes"): register, list, remove; each one's overview; deploy a version there.
#include <boost/json.hpp>
#include <filesystem>
#include <mutex>
#include <variant>

#include "admin/admin_api.hpp"
#include "http/responses.hpp"
#include "runtimes/remote_admin.hpp"
#include "runtimes/runtime_directory.hpp"
#include "service.hpp"

namespace ferry::ingress {
namespace {
namespace json = boost::json;

response json_ok(const json::object& body, const request& req,
                 http::status status = http::status::ok) {
    return json_response(status, json::serialize(body), req.version(), req.keep_alive());
}

std::optional<runtime_directory> load_runtimes(const service& svc) {
    auto loaded = runtime_directory::load(svc.settings.runtimes_file);
    if (!loaded) return std::nullopt;
    return std::move(*loaded);
}

response unreadable(const service& svc, const request& req) {
    return error_response(http::status::internal_server_error, "storage_error",
                          "the runtimes file " + svc.settings.runtimes_file + " cannot be read",
                          req);
}

json::object runtime_json(const remote_runtime& r) {
    // Never the token.
    return {{"name", r.name}, {"url", r.url}, {"user", r.user}, {"ca_file", r.ca_file}};
}

std::string param(const routed_request& r, std::string_view key) {
    const auto it = r.target.params().find(key);
    return it == r.target.params().end() ? std::string() : std::string((*it).value);
}

// Registering and removing read, change and write the file: one at a time in this process.
std::mutex& runtimes_file_mutex() {
    static std::mutex m;
    return m;
}

// The runtime the path names, or the answer saying why there is none.
std::variant<remote_runtime, response> named_runtime(const routed_request& r) {
    const auto runtimes = load_runtimes(r.svc);
    if (!runtimes) return unreadable(r.svc, r.req);
    const auto* runtime = runtimes->find(r.param("name"));
    if (!runtime) {
        return error_response(http::status::not_found, "unknown_runtime",
                              "no runtime is registered as '" + r.param("name") + "'", r.req);
    }
    return *runtime;
}

}  // namespace

boost::asio::awaitable<response> list_runtimes(routed_request r) {
    const auto runtimes = load_runtimes(r.svc);
    if (!runtimes) co_return unreadable(r.svc, r.req);
    json::array list;
    for (const auto& runtime : runtimes->runtimes()) list.push_back(runtime_json(runtime));
    co_return json_ok({{"runtimes", std::move(list)}}, r.req);
}

boost::asio::awaitable<response> add_runtime(routed_request r) {
    boost::system::error_code ec;
    const auto body = json::parse(r.req.body(), ec);
    if (ec || !body.is_object()) {
        co_return error_response(http::status::bad_request, "invalid_json",
                                 "post {\"name\", \"url\", \"user\", \"token\"[, \"ca_file\"]}",
                                 r.req);
    }
    const auto field = [&](const char* name) {
        const auto* v = body.as_object().if_contains(name);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    const std::lock_guard one_writer(runtimes_file_mutex());
    auto runtimes = load_runtimes(r.svc);
    if (!runtimes) co_return unreadable(r.svc, r.req);
    remote_runtime runtime{field("name"), field("url"), field("user"), field("token"),
                           field("ca_file")};
    if (auto why = runtimes->add(runtime); !why.empty()) {
        const bool taken = runtimes->find(runtime.name) != nullptr;
        co_return error_response(taken ? http::status::conflict : http::status::bad_request,
                                 taken ? "runtime_exists" : "invalid_runtime", why, r.req);
    }
    if (!runtimes->save(r.svc.settings.runtimes_file)) co_return unreadable(r.svc, r.req);
    co_return json_ok(runtime_json(*runtimes->find(runtime.name)), r.req, http::status::created);
}

boost::asio::awaitable<response> remove_runtime(routed_request r) {
    const std::lock_guard one_writer(runtimes_file_mutex());
    auto runtimes = load_runtimes(r.svc);
    if (!runtimes) co_return unreadable(r.svc, r.req);
    if (!runtimes->remove(r.param("name"))) {
        co_return error_response(http::status::not_found, "unknown_runtime",
                                 "no runtime is registered as '" + r.param("name") + "'", r.req);
    }
    if (!runtimes->save(r.svc.settings.runtimes_file)) co_return unreadable(r.svc, r.req);
    co_return json_ok({{"name", r.param("name")}, {"removed", true}}, r.req);
}

boost::asio::awaitable<response> runtime_overview(routed_request r) {
    auto named = named_runtime(r);
    if (auto* refused = std::get_if<response>(&named)) co_return std::move(*refused);
    const auto* runtime = &std::get<remote_runtime>(named);
    auto out = runtime_json(*runtime);
    // Status first: a runtime that does not answer it is not asked anything else.
    const auto status = co_await call_runtime(*runtime, "GET", "/_admin/status");
    out["reachable"] = status.status != 0;
    out["status"] = status.json.is_object() ? status.json : json::value(nullptr);
    if (status.status == 0) {
        out["error"] = status.problem;
        co_return json_ok(out, r.req);
    }
    std::string problem;
    for (const auto* part : {"listeners", "processes"}) {
        const auto target = std::string("/_admin/") + part;
        const auto answer = co_await call_runtime(*runtime, "GET", target);
        if (answer.ok() && answer.json.is_object()) {
            out[part] = answer.json.as_object().at(part);
        } else {
            out[part] = nullptr;
            if (problem.empty()) problem = "GET " + target + ": " + answer.summary();
        }
    }
    out["error"] = problem.empty() ? json::value(nullptr) : json::value(problem);
    co_return json_ok(out, r.req);
}

boost::asio::awaitable<response> deploy_to_runtime(routed_request r) {
    auto named = named_runtime(r);
    if (auto* refused = std::get_if<response>(&named)) co_return std::move(*refused);
    const auto* runtime = &std::get<remote_runtime>(named);
    const auto process = param(r, "process");
    const auto version = parse_version(param(r, "version"));
    const auto activate = param(r, "activate");
    if (process.empty() || !version ||
        (!activate.empty() && activate != "true" && activate != "false")) {
        co_return error_response(http::status::bad_request, "invalid_query",
                                 "name the version: ?process=NAME&version=N[&activate=false]",
                                 r.req);
    }
    const auto known = r.svc.gateway->current_registry()->version(process, *version);
    if (!known) {
        co_return error_response(
            http::status::not_found, "unknown_version",
            "process '" + process + "' has no version " + std::to_string(*version) + " here",
            r.req);
    }
    // The definition as deployed here, under its own file name, as `ferry deploy` sends it.
    const auto file = std::filesystem::path(known->source_file).filename().string();
    const auto target = "/_admin/processes?file=" + file +
                        (activate == "false" ? std::string("&activate=false") : std::string());
    const auto answer =
        co_await call_runtime(*runtime, "POST", target, known->source_text, "application/yaml");
    if (answer.status == 0) {
        co_return error_response(http::status::bad_gateway, "runtime_unreachable",
                                 "runtime '" + runtime->name + "': " + answer.problem, r.req);
    }
    // The runtime's own answer, status and body, as it gave it.
    auto res = json_response(static_cast<http::status>(answer.status), answer.body, r.req.version(),
                             r.req.keep_alive());
    res.set("X-Ferry-Runtime", runtime->name);
    co_return res;
}

}  // namespace ferry::ingress
