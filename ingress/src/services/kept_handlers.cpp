// Answers a caller comes back for: the next page of a long list reply, and the reply of a
// synchronous execution whose caller stopped waiting (SPEC §2, "Paging" and "Waiting").
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "ferry/store/error.hpp"
#include "http/responses.hpp"
#include "services/submit_answers.hpp"
#include "services/web_services.hpp"

namespace ferry::ingress {
namespace {

response kept_response(const engine::kept_answer& kept, const request& req) {
    auto res = answer_response(kept.answer, req);
    res.set("X-Execution-Id", kept.execution_id);
    return res;
}

response storage_error(const boost::system::error_code& ec, const request& req) {
    return error_response(http::status::internal_server_error, "storage_error",
                          "the stored answer could not be read: " + ec.message(), req);
}

}  // namespace

boost::asio::awaitable<response> next_page(routed_request r) {
    // The query parameters are already in the call, as query_<name>.
    const auto& props = r.call->process_props;
    const auto token = props.find("query_moreDataToken");
    // GET serves only pages; anything else goes by POST.
    if (token == props.end()) co_return method_not_allowed(r.req, "POST");
    co_return co_await page_by_token(std::move(r.req), token->second, r.svc);
}

boost::asio::awaitable<response> page_by_token(request req, std::string token, service& svc) {
    const auto kept = co_await svc.gateway->kept("page/" + token);
    if (!kept) {
        if (kept.error() == store::errc::not_found) {
            co_return error_response(http::status::not_found, "unknown_token",
                                     "no page is kept under this moreDataToken (it expired and "
                                     "was removed, or it was never issued)",
                                     req);
        }
        co_return storage_error(kept.error(), req);
    }
    if (kept->expired) {
        co_return error_response(http::status::gone, "token_expired",
                                 "this moreDataToken has expired; run the call again", req);
    }
    co_return kept_response(*kept, req);
}

boost::asio::awaitable<response> execution_result(routed_request r) {
    const auto& req = r.req;
    const auto& id = r.param("id");
    auto& svc = r.svc;
    const auto kept = co_await svc.gateway->kept("reply/" + id);
    if (kept && !kept->expired) {
        co_return kept_response(*kept, req);
    }
    if (!kept && kept.error() != store::errc::not_found) co_return storage_error(kept.error(), req);
    const auto record = co_await svc.gateway->execution(id);
    if (!record) {
        if (record.error() == store::errc::not_found) {
            co_return error_response(http::status::not_found, "unknown_execution",
                                     "no execution has the id '" + id + "'", req);
        }
        co_return storage_error(record.error(), req);
    }
    const auto state = record->state;
    if (state == store::execution_state::queued || state == store::execution_state::running) {
        boost::json::object body;
        body["execution_id"] = id;
        body["state"] = store::to_string(state);
        auto res = json_response(http::status::accepted, boost::json::serialize(body),
                                 req.version(), req.keep_alive());
        res.set(http::field::retry_after, "1");
        res.set("X-Execution-Id", id);
        co_return res;
    }
    co_return error_response(http::status::not_found, "no_result",
                             kept ? "the reply of this execution has expired"
                                  : "this execution has no reply: its operation is asynchronous",
                             req);
}

}  // namespace ferry::ingress
