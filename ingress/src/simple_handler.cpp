#include <boost/beast/core/string.hpp>
#include <charconv>
#include <chrono>
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
    store::properties props;
    for (const auto& field : req) {
        if (engine::passes_to_process(field.name_string())) {
            props.emplace("inheader_" + std::string(field.name_string()), std::string(field.value()));
        }
    }
    return props;
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

// How long this caller waits for the reply: the operation's timeout, shortened by
// X-Max-Wait: <ms>, Prefer: wait=<s> or Prefer: respond-async (SPEC §2, "Waiting").
std::chrono::milliseconds wait_budget(const request& req, const engine::process& p) {
    auto wait = std::chrono::milliseconds(p.listen.timeout_ms);
    const auto shorter = [&](std::string_view text, std::int64_t scale) {
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size() && value >= 0) {
            wait = std::min(wait, std::chrono::milliseconds(value * scale));
        }
    };
    if (const auto max_wait = req["X-Max-Wait"]; !max_wait.empty()) shorter(max_wait, 1);
    const auto prefer = std::string_view(req[http::field::prefer]);
    if (prefer.find("respond-async") != std::string_view::npos) wait = std::chrono::milliseconds(0);
    if (const auto at = prefer.find("wait="); at != std::string_view::npos) {
        auto value = prefer.substr(at + 5);
        value = value.substr(0, value.find_first_of(", ;"));
        shorter(value, 1000);
    }
    return wait;
}

response answer_response(const engine::http_answer& a, const request& req) {
    response res{static_cast<http::status>(a.status), req.version()};
    res.set(http::field::server, "ferry");
    for (const auto& [name, value] : a.headers) res.set(name, value);
    res.body() = a.body;
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

// The caller keeps the connection and gets the process's reply; without one in time, a 202
// that says where the execution can be followed.
boost::asio::awaitable<response> answer_synchronously(request req, engine::submission s,
                                                      const engine::process& p, service& svc) {
    // low_latency runs in memory, unless X-Debug asked for a stored, general-mode run.
    const bool in_memory = p.mode == engine::execution_mode::low_latency && !s.debug;
    const auto result = co_await svc.gateway->call(std::move(s), wait_budget(req, p), in_memory);
    if (!result) co_return submit_failure(result.error(), req);
    const auto& stored = result->stored;
    if (stored.status == engine::intake_status::storage_failure) {
        co_return error_response(http::status::insufficient_storage, "storage_unavailable",
                                 "the documents could not be stored durably (" + stored.message +
                                     "); nothing was accepted",
                                 req);
    }
    if (stored.status != engine::intake_status::ok) {
        co_return error_response(http::status::internal_server_error, "internal_error",
                                 "the intake refused the submission: " + stored.message, req);
    }
    if (result->answer) {
        auto res = answer_response(*result->answer, req);
        res.set("X-Execution-Id", stored.accepted.execution_id);
        res.set("X-Durability", stored.accepted.durability);
        co_return res;
    }
    if (in_memory) {
        // Nothing was stored, so there is nothing to follow later.
        co_return error_response(http::status::gateway_timeout, "timeout",
                                 "the low_latency execution did not answer within the wait; "
                                 "nothing was stored",
                                 req);
    }
    auto res = receipt_response(stored.accepted, req);
    res.set("X-Execution-Status-Link", "/_admin/executions/" + stored.accepted.execution_id);
    co_return res;
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
    auto documents = engine::split_request(p->listen.input, std::move(req.body()),
                                           req[http::field::content_type]);
    if (!documents) {
        const auto& e = documents.error();
        co_return error_response(static_cast<http::status>(e.status), e.error, e.detail, req);
    }
    // A part's own headers (multipart) win over the request's.
    for (auto& doc : *documents) doc.props.insert(header_props.begin(), header_props.end());

    engine::submission s{p->name, p->version, std::move(process_props), std::move(*documents),
                         false, ""};
    // SPEC §5: this one execution keeps everything, as in general mode.
    s.debug = boost::beast::iequals(req["X-Debug"], "true");
    if (p->listen.output != engine::data_type::none) {
        co_return co_await answer_synchronously(std::move(req), std::move(s), *p, svc);
    }
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
