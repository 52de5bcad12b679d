#include "services/submit_answers.hpp"

#include <boost/beast/http/rfc7230.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "ferry/engine/ascii_case.hpp"
#include "ferry/engine/intake/request_properties.hpp"
#include "ferry/transport/error.hpp"
#include "http/responses.hpp"

namespace ferry::ingress {

bool keeps_alive(const request_header& req) {
    bool close = false;
    bool keep = false;
    for (const auto& token : http::token_list(req[http::field::connection])) {
        close = close || engine::equals_ignoring_case(token, "close");
        keep = keep || engine::equals_ignoring_case(token, "keep-alive");
    }
    return req.version() >= 11 ? !close : keep;
}

store::properties request_header_properties(const request_header& req) {
    store::properties props;
    for (const auto& field : req) {
        if (engine::passes_to_process(field.name_string())) {
            props.emplace("inheader_" + std::string(field.name_string()),
                          std::string(field.value()));
        }
    }
    return props;
}

std::optional<response> read_idempotency_key(const request_header& req, std::string_view operation,
                                             engine::submission& s,
                                             engine::request_fingerprint& fingerprint) {
    auto key = req["Idempotency-Key"];
    if (key.empty()) key = req["X-Idempotency-Key"];
    if (key.empty()) return std::nullopt;
    if (!engine::valid_idempotency_key(key)) {
        return error_response(http::status::bad_request, "invalid_idempotency_key",
                              "an idempotency key is 1 to 255 visible ASCII characters "
                              "(no spaces or control characters)",
                              req.version(), keeps_alive(req));
    }
    s.idempotency_key = engine::idempotency_store_key(operation, key);
    // The same key with another target, query or content type is another request.
    fingerprint.add(req.target());
    fingerprint.add("\n");
    fingerprint.add(req[http::field::content_type]);
    fingerprint.add("\n");
    return std::nullopt;
}

void mark_repeat(response& res, const engine::intake_reply& reply) {
    if (reply.repeat) res.set("Idempotent-Replayed", "true");
}

response answer_response(const engine::http_answer& a, const request_header& req) {
    response res{static_cast<http::status>(a.status), req.version()};
    res.set(http::field::server, "ferry");
    for (const auto& [name, value] : a.headers) res.set(name, value);
    res.body() = a.body;
    res.keep_alive(keeps_alive(req));
    res.prepare_payload();
    return res;
}

response unavailable(const request_header& req, std::string_view error, std::string_view detail) {
    auto res = error_response(http::status::service_unavailable, error, detail, req.version(),
                              keeps_alive(req));
    res.set(http::field::retry_after, "1");
    return res;
}

std::string correlation_id(const request_header& req) {
    auto value = req["X-Correlation-Id"];
    if (value.empty()) value = req["X-Request-Id"];
    if (value.size() > 128) return {};
    for (const unsigned char c : value) {
        if (c < 0x21 || c > 0x7e) return {};
    }
    return std::string(value);
}

std::optional<response> not_serving(const request_header& req, server_state state) {
    if (state == server_state::starting) {
        return unavailable(req, "starting", "the server is starting; retry shortly");
    }
    if (state == server_state::draining) {
        return unavailable(req, "draining", "the server is shutting down; retry elsewhere");
    }
    return std::nullopt;
}

response paused_listener(const request_header& req, std::string_view operation,
                         std::string_view process) {
    return error_response(http::status::service_unavailable, "listener_paused",
                          "the operation " + std::string(operation) + " (process " +
                              std::string(process) +
                              ") is paused by an operator; nothing was stored",
                          req.version(), keeps_alive(req));
}

response submit_failure(const boost::system::error_code& ec, const request_header& req) {
    if (ec == transport::errc::busy) {
        auto res = error_response(http::status::too_many_requests, "overloaded",
                                  "the intake queue is full; retry shortly", req.version(),
                                  keeps_alive(req));
        res.set(http::field::retry_after, "1");
        return res;
    }
    if (ec == transport::errc::shutting_down) {
        return unavailable(req, "shutting_down", "the server is stopping; nothing was stored");
    }
    return error_response(http::status::internal_server_error, "internal_error",
                          "the request could not be handed to the store: " + ec.message(),
                          req.version(), keeps_alive(req));
}

response intake_failure(const engine::intake_reply& reply, const request_header& req) {
    if (reply.status == engine::intake_status::storage_failure) {
        return error_response(http::status::insufficient_storage, "storage_unavailable",
                              "the documents could not be stored durably (" + reply.message +
                                  "); nothing was accepted",
                              req.version(), keeps_alive(req));
    }
    if (reply.status == engine::intake_status::cluster_unavailable) {
        auto res = error_response(http::status::service_unavailable, "cluster_unavailable",
                                  "the cluster did not acknowledge the documents in time (" +
                                      reply.message +
                                      "); they are stored on this node and may still run: "
                                      "retry with the same Idempotency-Key",
                                  req.version(), keeps_alive(req));
        res.set(http::field::retry_after, "1");
        return res;
    }
    if (reply.status == engine::intake_status::conflict) {
        return error_response(http::status::unprocessable_entity, "idempotency_key_reused",
                              "this idempotency key was used by a different request (another "
                              "body, target or content type) within its retention window; "
                              "use a new key for a new request",
                              req.version(), keeps_alive(req));
    }
    return error_response(http::status::internal_server_error, "internal_error",
                          "the intake refused the submission: " + reply.message, req.version(),
                          keeps_alive(req));
}

response resubmitted(const boost::system::result<engine::refused_or<engine::intake_reply>>& outcome,
                     std::string_view link, const std::string& source, const request& req) {
    if (!outcome) return submit_failure(outcome.error(), req);
    if (!*outcome) return refusal_response(outcome->error(), req);
    const auto& stored = **outcome;
    if (stored.status != engine::intake_status::ok) return intake_failure(stored, req);
    boost::json::object body;
    body["execution_id"] = stored.accepted.execution_id;
    body[link] = source;
    body["document_count"] = stored.accepted.document_count;
    body["durability"] = stored.accepted.durability;
    auto res = json_response(http::status::accepted, boost::json::serialize(body), req.version(),
                             req.keep_alive());
    res.set(http::field::location, "/_admin/executions/" + stored.accepted.execution_id);
    return res;
}

}  // namespace ferry::ingress
