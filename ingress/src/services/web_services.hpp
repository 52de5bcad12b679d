#pragma once

// The web services' handlers (/ws/simple, /ws/soap, /ws/soap12) and the answers kept for
// callers to come back for. routes.cpp names the path of each.

#include <boost/asio/awaitable.hpp>

#include "routes.hpp"
#include "service.hpp"

namespace ferry::ingress {

/// POST /ws/simple/<operation>: the body split per input type, submitted to the intake,
/// answered with the receipt once stored or with the process's reply (synchronous).
boost::asio::awaitable<response> call_operation(routed_request r);
/// GET, POST, PUT, PATCH, DELETE /ws/rest/<base path>/<route path> (rest_handler.cpp): an
/// API's route, found by the connection (route_rest_call), called like its operation; a GET
/// with ?moreDataToken= fetches a page of a long list. A deprecated API's answers say so.
boost::asio::awaitable<response> rest_call(routed_request r);
/// GET /ws/simple/<operation>?moreDataToken=<token>: the next page of a long list reply (a GET
/// without a token is 405: calls go by POST).
boost::asio::awaitable<response> next_page(routed_request r);
/// The page kept under `token` (simple GET and SOAP alike): 404 unknown, 410 expired.
boost::asio::awaitable<response> page_by_token(request req, std::string token, service& svc);
/// GET /_admin/executions/<id>/result: the reply of a synchronous execution (202 until done).
boost::asio::awaitable<response> execution_result(routed_request r);

/// Runs operation `p` on the documents of `s` (whose process properties and idempotency key
/// are set): the request-profile check, then the submission, answered with the receipt once
/// stored (asynchronous operations) or with the process's reply (synchronous ones).
/// `profile_checked`: the caller has checked the documents against the request profile.
boost::asio::awaitable<response> run_operation(request req, engine::submission s,
                                               const engine::process& p, service& svc,
                                               bool profile_checked = false);

/// POST /ws/soap and /ws/soap12 (soap_handler.cpp): the Body's element names the operation;
/// every answer, errors included, is a SOAP envelope.
boost::asio::awaitable<response> soap_call(routed_request r);
/// GET /ws/soap?wsdl, ?wsdl=single and ?xsd=N: the service description of the operations the
/// caller may call (a GET without them is 405).
response soap_description(const routed_request& r);
/// A JSON error answer of ferry (`{"error", "detail"}`, or an execution failure) as the
/// SOAP fault of `protocol`; other answers are returned unchanged. Faults of SOAP 1.1 are
/// 500 (SOAP 1.1 §6.2) and of SOAP 1.2 400 (Sender) or 500 (Receiver), except refusals of
/// the HTTP exchange itself (401, 403, 405, 408, 413, 415, 429, 503), which keep their status.
response soap_fault(response res, web_service protocol);
/// An answer of operation `p` (its reply, the receipt, a page) as the SOAP response of
/// `protocol`: the content inside `<wss:OPERATIONResponse>`, a list as
/// `<wss:OBJECTResponseList>`; a JSON error as a fault.
response soap_reply(response res, web_service protocol, const engine::process& p);

}  // namespace ferry::ingress
