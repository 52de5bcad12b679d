// The SOAP endpoints (SPEC §2): /ws/soap (SOAP 1.1) and /ws/soap12 (SOAP 1.2), and their WSDL.
#include "access.hpp"
#include "ferry/engine/intake/idempotency.hpp"
#include "ferry/engine/intake/request_documents.hpp"
#include "ferry/profiles/soap_envelope.hpp"
#include "ferry/profiles/validation.hpp"
#include "ferry/profiles/wsdl.hpp"
#include "ferry/profiles/xml_list.hpp"
#include "http/responses.hpp"
#include "services/rest_call.hpp"
#include "services/submit_answers.hpp"
#include "services/web_services.hpp"

namespace ferry::ingress {
namespace {

using engine::data_type;

constexpr std::string_view more_results = "MoreResults";

// Whether an API's SOAP endpoint serves `operation`.
bool api_serves(const engine::api_definition& api, const std::string& operation) {
    return std::find(api.soap_operations.begin(), api.soap_operations.end(), operation) !=
           api.soap_operations.end();
}

// The SOAP shape of what an operation takes and answers; nullopt: JSON, raw data or
// multipart, which SOAP does not carry.
std::optional<profiles::message_shape> shape_of(data_type type) {
    switch (type) {
        case data_type::none:
            return profiles::message_shape::none;
        case data_type::single_xml:
            return profiles::message_shape::one;
        case data_type::multiple_xml:
            return profiles::message_shape::list;
        default:
            return std::nullopt;
    }
}

response bad_request(const request& req, std::string_view error, std::string_view detail) {
    return error_response(http::status::bad_request, error, detail, req);
}

// The documents the operation's element holds, by the operation's input type.
boost::system::result<std::vector<store::document>, engine::input_error> soap_documents(
    const engine::process& p, profiles::soap_request& envelope) {
    const auto& op = envelope.operation;
    auto& payload = envelope.payload;
    std::vector<store::document> out;
    switch (p.listen.input) {
        case data_type::none:
            if (!payload.empty()) {
                return engine::input_error{
                    400, "unexpected_input",
                    "the operation '" + op + "' takes no input; <" + op + "> must be empty"};
            }
            return engine::split_request(data_type::none, {});
        case data_type::single_xml:
            if (payload.size() != 1) {
                return engine::input_error{
                    400, "invalid_soap",
                    "<" + op + "> must hold exactly one document element; it holds " +
                        std::to_string(payload.size())};
            }
            out.push_back({std::move(payload.front()), {}});
            return out;
        case data_type::multiple_xml: {
            const auto list = p.listen.object + "List";
            if (payload.size() != 1) {
                return engine::input_error{400, "invalid_soap",
                                           "<" + op + "> must hold one <wss:" + list +
                                               "> with the documents; it holds " +
                                               std::to_string(payload.size()) + " elements"};
            }
            // The wrapper's own name, as Boomi's clients send it (or ObjectList).
            const auto tag_end = payload.front().find_first_of(" \t\r\n/>", 1);
            const auto qname = std::string_view(payload.front()).substr(1, tag_end - 1);
            const auto name =
                qname.substr(qname.find(':') == std::string_view::npos ? 0 : qname.find(':') + 1);
            if (name != list && name != "ObjectList") {
                return engine::input_error{400, "invalid_soap",
                                           "<" + op + "> must hold <wss:" + list +
                                               "> with the documents, not <" + std::string(qname) +
                                               ">"};
            }
            auto children = profiles::split_xml_list(payload.front(), name);
            if (!children) {
                return engine::input_error{400, "invalid_soap", children.error().message};
            }
            for (auto& child : *children) out.push_back({std::move(child), {}});
            return out;
        }
        default:
            return engine::input_error{400, "not_a_soap_operation",
                                       "the operation '" + op + "' takes " +
                                           std::string(engine::to_string(p.listen.input)) +
                                           ", which SOAP does not carry; call /ws/simple/" + op};
    }
}

// A profile problem of the one request document, told as a position in the envelope the
// client sent (the document was cut out of it, with namespace declarations added).
void at_envelope_position(engine::input_error& e, const profiles::soap_request& envelope) {
    auto& problem = *e.problem;
    const auto before = "(line " + std::to_string(problem.line) + ", column " +
                        std::to_string(problem.column) + ")";
    std::tie(problem.line, problem.column) = envelope.in_envelope(0, problem.line, problem.column);
    const auto after = "(line " + std::to_string(problem.line) + ", column " +
                       std::to_string(problem.column) + " of the envelope)";
    if (const auto at = e.detail.find(before); at != std::string::npos) {
        e.detail.replace(at, before.size(), after);
    }
}

// <opMoreResults><moreDataToken>T</moreDataToken></opMoreResults>: the token.
std::optional<std::string> more_data_token(const profiles::soap_request& envelope) {
    if (envelope.payload.size() != 1) return std::nullopt;
    const auto& element = envelope.payload.front();
    const auto open_end = element.find('>');
    const auto close = element.rfind("</");
    if (open_end == std::string::npos || close == std::string::npos || close < open_end) {
        return std::nullopt;
    }
    auto token = std::string_view(element).substr(open_end + 1, close - open_end - 1);
    const auto first = token.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return std::nullopt;
    token = token.substr(first, token.find_last_not_of(" \t\r\n") + 1 - first);
    return std::string(token);
}

boost::asio::awaitable<response> soap_exchange(request req, simple_call call, std::string user,
                                               service& svc) {
    in_flight_guard guard(svc);
    if (auto refused = not_serving(req, svc.state.load())) co_return std::move(*refused);
    auto envelope = profiles::read_soap_envelope(req.body());
    if (!envelope) {
        const auto& e = envelope.error();
        co_return bad_request(req, e.version_mismatch ? "version_mismatch" : "invalid_soap",
                              "the request is not a SOAP envelope ferry serves: line " +
                                  std::to_string(e.where.line) + ", column " +
                                  std::to_string(e.where.column) + ": " + e.where.message);
    }
    const auto wanted = call.protocol == web_service::soap11 ? profiles::soap_version::v1_1
                                                             : profiles::soap_version::v1_2;
    if (envelope->version != wanted) {
        co_return bad_request(
            req, "version_mismatch",
            wanted == profiles::soap_version::v1_1
                ? "this endpoint speaks SOAP 1.1; post SOAP 1.2 envelopes to /ws/soap12"
                : "this endpoint speaks SOAP 1.2; post SOAP 1.1 envelopes to /ws/soap");
    }
    if (!envelope->must_understand.empty()) {
        co_return bad_request(req, "must_understand",
                              "ferry does not understand the header block <" +
                                  envelope->must_understand.front() +
                                  ">, which is marked mustUnderstand");
    }
    // <opMoreResults> asks for the next page of op, unless an operation has that very name.
    auto operation = envelope->operation;
    auto served = svc.gateway->find_operation(operation);
    const bool next_page = operation.ends_with(more_results) && !served.process;
    if (next_page) {
        operation.resize(operation.size() - more_results.size());
        served = svc.gateway->find_operation(operation);
    }
    const auto& p = served.process;
    if (call.soap_api && !api_serves(*call.soap_api, operation)) {
        co_return error_response(http::status::not_found, "unknown_operation",
                                 "API '" + call.soap_api->name + "' version " +
                                     std::to_string(call.soap_api->version) +
                                     " has no SOAP operation '" + operation + "'",
                                 req);
    }
    if (!p) {
        co_return error_response(http::status::not_found, "unknown_operation",
                                 "no deployed process serves the operation '" + operation + "'",
                                 req);
    }
    if (!may_call(svc, user, operation)) {
        co_return error_response(http::status::forbidden, "operation_not_allowed",
                                 "this user may not call the operation '" + operation + "'", req);
    }
    if (served.paused) co_return paused_listener(req, operation, p->name);
    if (!shape_of(p->listen.input) || !shape_of(p->listen.output)) {
        co_return bad_request(req, "not_a_soap_operation",
                              "the operation '" + operation + "' takes " +
                                  std::string(engine::to_string(p->listen.input)) +
                                  " and answers " +
                                  std::string(engine::to_string(p->listen.output)) +
                                  "; SOAP carries XML only: call /ws/simple/" + operation);
    }
    if (next_page) {
        if (p->listen.output != data_type::multiple_xml) {
            co_return bad_request(req, "invalid_soap",
                                  "the operation '" + operation + "' does not answer a list");
        }
        auto token = more_data_token(*envelope);
        if (!token) {
            co_return bad_request(req, "invalid_soap",
                                  "<" + envelope->operation +
                                      "> must hold <moreDataToken> with the token of the page "
                                      "before");
        }
        auto page = co_await page_by_token(std::move(req), std::move(*token), svc);
        co_return soap_reply(std::move(page), call.protocol, *p);
    }

    engine::submission s;
    engine::request_fingerprint fingerprint;
    if (auto bad = read_idempotency_key(req, operation, s, fingerprint)) co_return std::move(*bad);
    if (!s.idempotency_key.empty()) {
        fingerprint.add(req.body());
        s.fingerprint = fingerprint.hex();
    }
    auto documents = soap_documents(*p, *envelope);
    if (!documents) co_return input_error_response(documents.error(), req);
    if (auto bad = engine::check_request_profile(p->listen, *documents)) {
        if (p->listen.input == data_type::single_xml && bad->problem) {
            at_envelope_position(*bad, *envelope);
        }
        co_return input_error_response(*bad, req);
    }
    const auto header_props = request_header_properties(req);
    for (auto& doc : *documents) doc.props.insert(header_props.begin(), header_props.end());
    s.documents = std::move(*documents);
    s.process_props = std::move(call.process_props);
    s.process_props["inuser"] = std::move(user);
    const auto process = p;  // held while it runs, even if a redeploy replaces it
    auto answer = co_await run_operation(std::move(req), std::move(s), *process, svc, true);
    co_return soap_reply(std::move(answer), call.protocol, *process);
}

// GET ?wsdl, ?wsdl=single, ?xsd=N: the description of the operations this caller may call.
response describe(const request& req, const simple_call& call, const std::string& user,
                  const service& svc) {
    const auto& props = call.process_props;
    const auto wsdl = props.find("query_wsdl");
    const auto xsd = props.find("query_xsd");
    if (wsdl == props.end() && xsd == props.end()) {
        return method_not_allowed(req, "POST (or GET with ?wsdl)");
    }
    std::vector<profiles::wsdl_operation> operations;
    for (const auto& served : svc.gateway->served_operations()) {
        const auto& l = served.process->listen;
        const auto input = shape_of(l.input);
        const auto output = shape_of(l.output);
        const auto name = l.operation_name();
        if (!input || !output || !may_call(svc, user, name)) continue;
        if (call.soap_api && !api_serves(*call.soap_api, name)) continue;
        operations.push_back({name, l.object, *input, *output,
                              l.request_profile ? &l.request_profile->profile() : nullptr,
                              l.response_profile ? &l.response_profile->profile() : nullptr});
    }
    profiles::wsdl_options options;
    options.base_url = call.base_url;
    options.single = wsdl != props.end() && wsdl->second == "single";
    if (call.soap_api) options.endpoint_suffix = "/" + call.soap_api->base_path;
    options.schema_url = call.base_url + "/ws/soap" + options.endpoint_suffix + "?xsd=";
    auto description = profiles::describe_service(operations, options);
    if (!description) {
        return error_response(http::status::internal_server_error, "wsdl_failed",
                              "the WSDL cannot be generated: " + description.error(), req);
    }
    std::string body;
    if (xsd != props.end()) {
        const auto& schemas = description->schemas;
        std::size_t n = 0;
        for (const char c : xsd->second)
            n = c >= '0' && c <= '9' && n < 100000 ? n * 10 + (c - '0') : 100000;
        if (xsd->second.empty() || n < 1 || n > schemas.size()) {
            return error_response(
                http::status::not_found, "unknown_schema",
                "no schema " + xsd->second + "; the WSDL names " + std::to_string(schemas.size()),
                req);
        }
        body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + schemas[n - 1].text;
    } else {
        body = std::move(description->wsdl);
    }
    response res{http::status::ok, req.version()};
    res.set(http::field::server, "ferry");
    res.set(http::field::content_type, "text/xml; charset=utf-8");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

}  // namespace

boost::asio::awaitable<response> soap_call(routed_request r) {
    const auto protocol = r.call->protocol;
    const auto api = r.call->soap_api;  // a deprecated API's answers say so, faults too
    if (api && api->deprecated) r.svc.deprecated.count(api->name, api->version, r.user);
    auto answer =
        co_await soap_exchange(std::move(r.req), std::move(*r.call), std::move(r.user), r.svc);
    auto res = soap_fault(std::move(answer), protocol);
    if (api) add_deprecation_headers(res, *api);
    co_return res;
}

response soap_description(const routed_request& r) {
    auto res = describe(r.req, *r.call, r.user, r.svc);
    if (r.call->soap_api) add_deprecation_headers(res, *r.call->soap_api);
    return res;
}

}  // namespace ferry::ingress
