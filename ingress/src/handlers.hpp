#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "service.hpp"

namespace ferry::ingress {

/// A request for `/ws/simple/<operation>`: the operation and what the process learns of the
/// request (inmethod, inpath, inuser, query_*, param_*).
struct simple_call {
    std::string operation;
    store::properties process_props;
    std::string matrix_auth;  // the ;auth=<base64(user:token)> parameter, "" when absent
    /// The process serving the operation, looked up once per request by the connection.
    engine::gateway::served_operation served;
};
/// The simple-path call a request header addresses, if it addresses one. Its `inuser` is left
/// empty: admit() decides who calls. Parsed once per request by the connection.
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
/// GET /ws/simple/<operation>?moreDataToken=<token>: the next page of a long list reply.
boost::asio::awaitable<response> handle_next_page(request req, std::string token, service& svc);
/// GET /_admin/executions/<id>/result: the reply of a synchronous execution (202 until done).
boost::asio::awaitable<response> handle_execution_result(request req, std::string id,
                                                         service& svc);

}  // namespace ferry::ingress
