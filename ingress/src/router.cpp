#include <boost/url/parse.hpp>

#include "ferry/engine/intake/request_properties.hpp"
#include "handlers.hpp"
#include "responses.hpp"

namespace ferry::ingress {
namespace {

constexpr std::string_view simple_prefix = "/ws/simple/";
constexpr std::string_view soap11_path = "/ws/soap";
constexpr std::string_view soap12_path = "/ws/soap12";
constexpr std::string_view executions_prefix = "/_admin/executions/";

// SPEC §2: what the process learns about the request, as process properties.
engine::request_facts request_facts(const http::request_header<>& req,
                                    const boost::urls::url_view& target) {
    engine::request_facts facts;
    facts.method = std::string(req.method_string());
    facts.path = std::string(target.path());
    for (const auto& param : target.params()) {
        facts.query.emplace_back(std::string(param.key), std::string(param.value));
    }
    return facts;
}

bool plain_segment(std::string_view s) {
    return !s.empty() && s.find('/') == std::string_view::npos;
}

}  // namespace

std::optional<simple_call> parse_simple_call(const http::request_header<>& req) {
    const auto target = boost::urls::parse_origin_form(req.target());
    if (!target) return std::nullopt;
    const std::string path = target->path();  // percent-decoded
    simple_call call;
    // Matrix parameters (;auth=) on the SOAP paths too.
    const auto bare = std::string_view(path).substr(0, path.find(';'));
    if (bare == soap11_path || bare == soap12_path) {
        auto facts = request_facts(req, *target);
        call.protocol = bare == soap11_path ? call_protocol::soap11 : call_protocol::soap12;
        const auto matrix = std::string_view(path).substr(bare.size());
        if (!matrix.empty())
            engine::split_matrix(std::string(matrix), facts.params, &call.matrix_auth);
        facts.path = std::string(bare);
        call.process_props = engine::process_properties(facts);
        return call;
    }
    if (!path.starts_with(simple_prefix) || !plain_segment(path.substr(simple_prefix.size()))) {
        return std::nullopt;
    }
    auto facts = request_facts(req, *target);
    call.operation =
        engine::split_matrix(path.substr(simple_prefix.size()), facts.params, &call.matrix_auth);
    // Matrix parameters (;auth= is a credential) stay out of inpath.
    facts.path = std::string(simple_prefix) + call.operation;
    call.process_props = engine::process_properties(facts);
    return call;
}

boost::asio::awaitable<response> route(request req, std::optional<simple_call> call,
                                       std::string user, service& svc) {
    if (call && call->protocol != call_protocol::simple) {
        co_return co_await handle_soap(std::move(req), std::move(*call), std::move(user), svc);
    }
    if (call) {
        if (req.method() == http::verb::get) {
            // The query parameters are already in the call, as query_<name>.
            const auto token = call->process_props.find("query_moreDataToken");
            if (token != call->process_props.end()) {
                co_return co_await handle_next_page(std::move(req), token->second, svc);
            }
        }
        if (req.method() != http::verb::post) co_return method_not_allowed(req, "POST");
        call->process_props["inuser"] = std::move(user);
        co_return co_await handle_simple(std::move(req), std::move(call->operation),
                                         std::move(call->process_props), std::move(call->served),
                                         svc);
    }
    const auto target = boost::urls::parse_origin_form(req.target());
    if (!target) {
        co_return error_response(http::status::bad_request, "bad_target",
                                 "the request target is not a valid URL path", req);
    }
    const std::string path = target->path();  // percent-decoded
    if (path == "/_admin/status") {
        if (req.method() != http::verb::get) co_return method_not_allowed(req, "GET");
        co_return handle_status(req, svc);
    }
    if (path == "/metrics") {
        if (req.method() != http::verb::get) co_return method_not_allowed(req, "GET");
        co_return handle_metrics(req, svc);
    }
    if (is_deployment_path(path)) co_return co_await handle_deployment(std::move(req), svc);
    if (is_replays_path(path)) co_return handle_replays(req, svc);
    if (is_queues_path(path)) co_return co_await handle_queues(std::move(req), svc);
    if (path == "/_admin/executions") {
        if (req.method() != http::verb::get) co_return method_not_allowed(req, "GET");
        co_return co_await handle_execution_list(std::move(req), svc);
    }
    if (path.starts_with(executions_prefix)) {
        // <id>/documents/<document id>
        const auto rest = path.substr(executions_prefix.size());
        const auto slash = rest.find("/documents/");
        if (slash != std::string::npos && plain_segment(rest.substr(0, slash)) &&
            plain_segment(rest.substr(slash + 11))) {
            if (req.method() != http::verb::get) co_return method_not_allowed(req, "GET");
            co_return co_await handle_execution_document(std::move(req), rest.substr(0, slash),
                                                         rest.substr(slash + 11), svc);
        }
    }
    if (path.starts_with(executions_prefix) && path.ends_with("/replay") &&
        plain_segment(
            path.substr(executions_prefix.size(), path.size() - executions_prefix.size() - 7))) {
        if (req.method() != http::verb::post) co_return method_not_allowed(req, "POST");
        co_return co_await handle_replay(
            std::move(req),
            path.substr(executions_prefix.size(), path.size() - executions_prefix.size() - 7), svc);
    }
    if (path.starts_with(executions_prefix) && path.ends_with("/result") &&
        plain_segment(
            path.substr(executions_prefix.size(), path.size() - executions_prefix.size() - 7))) {
        if (req.method() != http::verb::get) co_return method_not_allowed(req, "GET");
        co_return co_await handle_execution_result(
            std::move(req),
            path.substr(executions_prefix.size(), path.size() - executions_prefix.size() - 7), svc);
    }
    if (path.starts_with(executions_prefix) &&
        plain_segment(path.substr(executions_prefix.size()))) {
        if (req.method() != http::verb::get) co_return method_not_allowed(req, "GET");
        co_return co_await handle_execution(std::move(req), path.substr(executions_prefix.size()),
                                            svc);
    }
    co_return error_response(http::status::not_found, "not_found", "no endpoint at " + path, req);
}

}  // namespace ferry::ingress
