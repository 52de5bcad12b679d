#include <boost/beast/core/string.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "ferry/engine/request_documents.hpp"
#include "ferry/engine/request_properties.hpp"
#include "ferry/transport/error.hpp"
#include "handlers.hpp"
#include "responses.hpp"

namespace ferry::ingress {
namespace {

store::properties header_properties(const request& req) {
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    for (const auto& field : req) headers.emplace_back(field.name_string(), field.value());
    return engine::header_properties(headers);
}

response receipt_response(const engine::receipt& r, const request& req) {
    boost::json::object body;
    body["execution_id"] = r.execution_id;
    boost::json::array ids;
    ids.reserve(r.document_ids.size());
    for (const auto& id : r.document_ids) ids.emplace_back(id);
    body["documents"] = std::move(ids);
    body["durability"] = r.durability;
    auto res = json_response(http::status::accepted, boost::json::serialize(body), req.version(),
                             req.keep_alive());
    res.set("X-Execution-Id", r.execution_id);
    res.set("X-Durability", r.durability);
    res.set(http::field::location, "/_admin/executions/" + r.execution_id);
    return res;
}

response unavailable(const request& req, std::string_view error, std::string_view detail) {
    auto res = error_response(http::status::service_unavailable, error, detail, req);
    res.set(http::field::retry_after, "1");
    return res;
}

response submit_failure(const boost::system::error_code& ec, const request& req) {
    if (ec == transport::errc::busy) {
        auto res = error_response(http::status::too_many_requests, "overloaded",
                                  "the intake queue is full; retry shortly", req);
        res.set(http::field::retry_after, "1");
        return res;
    }
    if (ec == transport::errc::shutting_down) {
        return unavailable(req, "shutting_down", "the server is stopping; nothing was stored");
    }
    return error_response(http::status::internal_server_error, "internal_error",
                          "the request could not be handed to the store: " + ec.message(), req);
}

}  // namespace

boost::asio::awaitable<response> handle_simple(request req, std::string operation,
                                               store::properties process_props, service& svc) {
    in_flight_guard guard(svc);
    const auto state = svc.state.load();
    if (state == server_state::starting) {
        co_return unavailable(req, "starting", "the server is starting; retry shortly");
    }
    if (state == server_state::draining) {
        co_return unavailable(req, "draining", "the server is shutting down; retry elsewhere");
    }
    const auto p = svc.gateway->find_operation(operation);
    if (!p) {
        co_return error_response(http::status::not_found, "unknown_operation",
                                 "no deployed process serves the operation '" + operation + "'",
                                 req);
    }
    auto header_props = header_properties(req);
    auto documents = engine::split_request(p->listen.input, std::move(req.body()));
    if (!documents) {
        const auto& e = documents.error();
        co_return error_response(static_cast<http::status>(e.status), e.error, e.detail, req);
    }
    for (auto& doc : *documents) doc.props = header_props;

    engine::submission s{p->name, p->version, std::move(process_props), std::move(*documents)};
    // SPEC §5: this one execution keeps everything, as in general mode.
    s.debug = boost::beast::iequals(req["X-Debug"], "true");
    const auto reply = co_await svc.gateway->submit(std::move(s));
    if (!reply) co_return submit_failure(reply.error(), req);
    switch (reply->status) {
        case engine::intake_status::ok:
            co_return receipt_response(reply->accepted, req);
        case engine::intake_status::storage_failure:
            co_return error_response(http::status::insufficient_storage, "storage_unavailable",
                                     "the documents could not be stored durably (" +
                                         reply->message + "); nothing was accepted",
                                     req);
        case engine::intake_status::bad_request:
            break;
    }
    co_return error_response(http::status::internal_server_error, "internal_error",
                             "the intake refused the submission: " + reply->message, req);
}

}  // namespace ferry::ingress
