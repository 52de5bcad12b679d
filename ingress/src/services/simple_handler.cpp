#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>

#include "ferry/engine/ascii_case.hpp"
#include "ferry/engine/intake/request_documents.hpp"
#include "ferry/engine/intake/request_properties.hpp"
#include "ferry/transport/error.hpp"
#include "http/responses.hpp"
#include "services/submit_answers.hpp"
#include "services/web_services.hpp"

namespace ferry::ingress {
namespace {

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

// The caller keeps the connection and gets the process's reply; without one in time, a 202
// that says where the execution can be followed.
boost::asio::awaitable<response> answer_synchronously(request req, engine::submission s,
                                                      const engine::process& p, service& svc) {
    const auto result = co_await svc.gateway->call(p, std::move(s), wait_budget(req, p));
    if (!result) co_return submit_failure(result.error(), req);
    const auto& stored = result->stored;
    if (stored.status != engine::intake_status::ok) co_return intake_failure(stored, req);
    if (result->answer) {
        auto res = answer_response(*result->answer, req);
        res.set("X-Execution-Id", stored.accepted.execution_id);
        res.set("X-Durability", stored.accepted.durability);
        mark_repeat(res, stored);
        co_return res;
    }
    if (result->in_memory) {
        // Nothing was stored, so there is nothing to follow later.
        co_return error_response(http::status::gateway_timeout, "timeout",
                                 "the low_latency execution did not answer within the wait; "
                                 "nothing was stored",
                                 req);
    }
    auto res = answer_response(engine::receipt_reply(stored.accepted), req);
    res.set("X-Execution-Status-Link",
            "/_admin/executions/" + stored.accepted.execution_id + "/result");
    mark_repeat(res, stored);
    co_return res;
}

}  // namespace

boost::asio::awaitable<response> call_operation(routed_request r) {
    auto& req = r.req;
    auto& svc = r.svc;
    auto& call = *r.call;
    call.process_props["inuser"] = std::move(r.user);
    const auto& operation = call.operation;
    const auto& served = call.served;
    in_flight_guard guard(svc);
    if (auto refused = not_serving(req, svc.state.load())) co_return std::move(*refused);
    const auto& p = served.process;
    if (!p) {
        co_return error_response(http::status::not_found, "unknown_operation",
                                 "no deployed process serves the operation '" + operation + "'",
                                 req);
    }
    // A paused operation never gets here: the connection turned it away before its body.
    engine::submission s;
    engine::request_fingerprint fingerprint;
    if (auto bad = read_idempotency_key(req, p->listen.operation_name(), s, fingerprint))
        co_return std::move(*bad);
    if (!s.idempotency_key.empty()) {
        fingerprint.add(req.body());
        s.fingerprint = fingerprint.hex();
    }
    auto header_props = request_header_properties(req);
    auto documents = engine::split_request(p->listen.input, std::move(req.body()),
                                           req[http::field::content_type]);
    if (!documents) co_return input_error_response(documents.error(), req);
    // A part's own headers (multipart) win over the request's.
    for (auto& doc : *documents) doc.props.insert(header_props.begin(), header_props.end());
    s.process_props = std::move(call.process_props);
    s.documents = std::move(*documents);
    co_return co_await run_operation(std::move(req), std::move(s), *p, svc);
}

boost::asio::awaitable<response> run_operation(request req, engine::submission s,
                                               const engine::process& p, service& svc,
                                               bool profile_checked) {
    // SPEC §6: a document that does not fit the request profile is refused before it is stored.
    if (!profile_checked) {
        if (auto bad = engine::check_request_profile(p.listen, s.documents)) {
            co_return input_error_response(*bad, req);
        }
    }
    s.process = p.name;
    s.process_version = p.version;
    if (auto id = correlation_id(req); !id.empty())
        s.process_props["correlation_id"] = std::move(id);
    // SPEC §5: this one execution keeps everything, as in general mode.
    s.debug = engine::equals_ignoring_case(req["X-Debug"], "true");
    if (p.listen.output != engine::data_type::none) {
        // The caller holds a connection and an execution for as long as it runs: the
        // operation's limit keeps a burst of slow calls from taking every executor.
        const auto slot = svc.gateway->take_execution_slot(p);
        if (!slot) {
            co_return unavailable(req, "too_many_executions",
                                  "the operation '" + p.listen.operation_name() +
                                      "' is running its maximum of " +
                                      std::to_string(svc.gateway->execution_limit(p)) +
                                      " executions at once; retry shortly");
        }
        co_return co_await answer_synchronously(std::move(req), std::move(s), p, svc);
    }
    const auto reply = co_await svc.gateway->submit(std::move(s));
    if (!reply) co_return submit_failure(reply.error(), req);
    if (reply->status != engine::intake_status::ok) co_return intake_failure(*reply, req);
    auto res = answer_response(engine::receipt_reply(reply->accepted), req);
    mark_repeat(res, *reply);
    co_return res;
}

}  // namespace ferry::ingress
