// GET /_admin/executions: the execution history, filtered and paged by cursor; and
// POST /_admin/executions/<id>/replay.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <ctime>

#include "admin/admin_api.hpp"
#include "admin/execution_json.hpp"
#include "admin/execution_query.hpp"
#include "http/responses.hpp"
#include "services/submit_answers.hpp"

namespace ferry::ingress {
namespace {

constexpr std::size_t default_page = 100;
constexpr std::size_t largest_page = 1000;

response bad_query(const request& req, std::string detail) {
    return error_response(http::status::bad_request, "invalid_query", detail, req);
}

}  // namespace

boost::asio::awaitable<response> list_executions(routed_request r) {
    const auto& req = r.req;
    auto& svc = r.svc;
    store::execution_filter filter;
    std::string cursor;
    std::size_t limit = default_page;
    for (const auto& param : r.target.params()) {
        const std::string key = param.key;
        const std::string value = param.value;
        std::string bad;
        if (read_filter_parameter(key, value, filter, bad)) {
            if (!bad.empty()) co_return bad_query(req, bad);
        } else if (key == "cursor") {
            cursor = value;
        } else if (key == "limit") {
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), limit);
            if (ec != std::errc() || end != value.data() + value.size() || limit == 0 ||
                limit > largest_page) {
                co_return bad_query(req, "limit must be from 1 to " + std::to_string(largest_page));
            }
        } else {
            co_return bad_query(
                req, "unknown parameter '" + key +
                         "' (process, state, from, to, error, replay_of, correlation_id, "
                         "sent_by, limit, cursor)");
        }
    }
    const auto page = co_await svc.gateway->list_executions(filter, cursor, limit);
    if (!page) {
        co_return error_response(http::status::internal_server_error, "storage_error",
                                 "the history could not be read: " + page.error().message(), req);
    }
    boost::json::array list;
    for (const auto& record : page->executions) list.push_back(execution_summary(record));
    boost::json::object body;
    body["executions"] = std::move(list);
    body["next_cursor"] = page->next_cursor.empty() ? boost::json::value(nullptr)
                                                    : boost::json::value(page->next_cursor);
    body["scanned"] = page->scanned;
    co_return json_response(http::status::ok, boost::json::serialize(body), req.version(),
                            req.keep_alive());
}

boost::asio::awaitable<response> replay_execution(routed_request r) {
    const auto& req = r.req;
    const auto& id = r.param("id");
    // ?version=N runs another known version of the process.
    std::optional<std::uint32_t> version;
    for (const auto& param : r.target.params()) {
        std::uint32_t v = 0;
        const std::string value = param.value;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (param.key != "version" || ec != std::errc() || end != value.data() + value.size()) {
            co_return bad_query(req, "the only parameter is version=<number>");
        }
        version = v;
    }
    co_return resubmitted(co_await r.svc.gateway->replay(id, version), "replay_of", id, req);
}

}  // namespace ferry::ingress
