#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "service.hpp"

namespace ferry::ingress {

/// How a web-service call addresses its operation: in the path (`/ws/simple/<operation>`) or
/// in the SOAP Body (`/ws/soap`, `/ws/soap12`), known only once the body is read.
enum class call_protocol { simple, soap11, soap12 };

/// A request for `/ws/simple/<operation>` or a SOAP endpoint: the operation and what the
/// process learns of the request (inmethod, inpath, inuser, query_*, param_*).
struct simple_call {
    call_protocol protocol = call_protocol::simple;
    std::string operation;  // "" for SOAP until the body names it
    store::properties process_props;
    std::string matrix_auth;  // the ;auth=<base64(user:token)> parameter, "" when absent
    std::string base_url;     // SOAP: what the WSDL's addresses start with ("http://host:port")
    /// The process serving the operation, looked up once per request by the connection.
    engine::gateway::served_operation served;
};
/// The web-service call (simple path or SOAP endpoint) a request header addresses, if any. Its
/// `inuser` is left empty: admit() decides who calls. Parsed once per request by the connection.
std::optional<simple_call> parse_simple_call(const http::request_header<>& req);

/// Picks the handler for a request by method and path. `call`: the simple-path call the
/// request addresses (parse_simple_call); `user`: who admit() let in ("" when nobody was
/// identified), the process's `inuser`.
boost::asio::awaitable<response> route(request req, std::optional<simple_call> call,
                                       std::string user, service& svc);

/// `process_props` are the request's inmethod, inpath and query_* properties, built by the
/// router from the target it already parsed.
boost::asio::awaitable<response> handle_simple(request req, std::string operation,
                                               store::properties process_props,
                                               engine::gateway::served_operation served,
                                               service& svc);
/// Runs operation `p` on the documents of `s` (whose process properties and idempotency key
/// are set): the request-profile check, then the submission, answered with the receipt once
/// stored (asynchronous operations) or with the process's reply (synchronous ones).
/// `profile_checked`: the caller has checked the documents against the request profile.
boost::asio::awaitable<response> run_operation(request req, engine::submission s,
                                               const engine::process& p, service& svc,
                                               bool profile_checked = false);
response handle_status(const request& req, const service& svc);
boost::asio::awaitable<response> handle_execution(request req, std::string id, service& svc);
/// GET /_admin/executions?process=&state=&from=&to=&error=&limit=&cursor=: the history,
/// newest first.
boost::asio::awaitable<response> handle_execution_list(request req, service& svc);
/// POST /_admin/executions/<id>/replay: the execution again, as a new stored execution linked
/// to it (process property replay_of), run by the process's deployed version; 202.
boost::asio::awaitable<response> handle_replay(request req, std::string id, service& svc);
boost::asio::awaitable<response> handle_execution_document(request req, std::string execution_id,
                                                           std::string document_id, service& svc);
/// /_admin/processes and /_admin/listeners (deploy_handler.cpp).
bool is_deployment_path(std::string_view path);
boost::asio::awaitable<response> handle_deployment(request req, service& svc);
/// /_admin/replays (replay_handler.cpp): bulk replays in the background.
bool is_replays_path(std::string_view path);
response handle_replays(const request& req, service& svc);
/// /_admin/queues and /_admin/dead-letters (queue_handler.cpp): internal queues.
bool is_queues_path(std::string_view path);
boost::asio::awaitable<response> handle_queues(request req, service& svc);
response handle_metrics(const request& req, const service& svc);
/// POST /ws/soap and /ws/soap12 (soap_handler.cpp): the Body's element names the operation;
/// every answer, errors included, is a SOAP envelope. GET ?wsdl, ?wsdl=single and ?xsd=N:
/// the service description of the operations `user` may call.
boost::asio::awaitable<response> handle_soap(request req, simple_call call, std::string user,
                                             service& svc);
/// A JSON error answer of ferry (`{"error", "detail"}`, or an execution failure) as the
/// SOAP fault of `protocol`; other answers are returned unchanged. Faults of SOAP 1.1 are
/// 500 (SOAP 1.1 §6.2) and of SOAP 1.2 400 (Sender) or 500 (Receiver), except refusals of
/// the HTTP exchange itself (401, 403, 405, 408, 413, 415, 429, 503), which keep their status.
response soap_fault(response res, call_protocol protocol);
/// An answer of operation `p` (its reply, the receipt, a page) as the SOAP response of
/// `protocol`: the content inside `<wss:OPERATIONResponse>`, a list as
/// `<wss:OBJECTResponseList>`; a JSON error as a fault.
response soap_reply(response res, call_protocol protocol, const engine::process& p);
/// GET /ws/simple/<operation>?moreDataToken=<token>: the next page of a long list reply.
boost::asio::awaitable<response> handle_next_page(request req, std::string token, service& svc);
/// GET /_admin/executions/<id>/result: the reply of a synchronous execution (202 until done).
boost::asio::awaitable<response> handle_execution_result(request req, std::string id, service& svc);

}  // namespace ferry::ingress
