// GET /_admin/executions: the execution history, filtered and paged by cursor; and
// POST /_admin/executions/<id>/replay.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <ctime>

#include "execution_json.hpp"
#include "handlers.hpp"
#include "responses.hpp"
#include "submit_answers.hpp"

namespace ferry::ingress {
namespace {

constexpr std::size_t default_page = 100;
constexpr std::size_t largest_page = 1000;

// Milliseconds since the epoch, or ISO 8601 UTC: 2026-11-24, 2026-11-24T10:00:00Z,
// 2026-11-24T10:00:00.250Z.
std::optional<std::int64_t> parse_time(std::string_view text) {
    std::int64_t ms = 0;
    if (const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
        ec == std::errc() && end == text.data() + text.size()) {
        return ms;
    }
    std::tm tm{};
    int millis = 0;
    const std::string s(text);
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &consumed) != 3) {
        return std::nullopt;
    }
    std::string_view rest = std::string_view(s).substr(static_cast<std::size_t>(consumed));
    if (!rest.empty()) {
        int more = 0;
        if (std::sscanf(rest.data(), "T%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
                        &more) != 3) {
            return std::nullopt;
        }
        rest.remove_prefix(static_cast<std::size_t>(more));
        if (rest.starts_with(".")) {
            rest.remove_prefix(1);
            int digits = 0;
            for (; !rest.empty() && rest.front() >= '0' && rest.front() <= '9';
                 rest.remove_prefix(1)) {
                if (digits < 3) {
                    millis = millis * 10 + (rest.front() - '0');
                    ++digits;
                }
            }
            if (digits == 0) return std::nullopt;
            for (; digits < 3; ++digits) millis *= 10;
        }
        if (rest != "Z") return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const auto seconds = timegm(&tm);
    if (seconds < 0) return std::nullopt;
    return static_cast<std::int64_t>(seconds) * 1000 + millis;
}

response bad_query(const request& req, std::string detail) {
    return error_response(http::status::bad_request, "invalid_query", detail, req);
}

}  // namespace

boost::asio::awaitable<response> handle_execution_list(request req, service& svc) {
    const auto target = boost::urls::parse_origin_form(req.target());
    if (!target) co_return bad_query(req, "the request target is not a valid URL");
    store::execution_filter filter;
    std::string cursor;
    std::size_t limit = default_page;
    for (const auto& param : target->params()) {
        const std::string key = param.key;
        const std::string value = param.value;
        if (key == "process") {
            filter.process = value;
        } else if (key == "state") {
            filter.state = store::parse_execution_state(value);
            if (!filter.state) {
                co_return bad_query(req, "state must be queued, running, succeeded, failed or "
                                         "cancelled, not '" + value + "'");
            }
        } else if (key == "from" || key == "to") {
            const auto ms = parse_time(value);
            if (!ms) {
                co_return bad_query(req, key + " must be milliseconds since the epoch or an "
                                           "ISO 8601 UTC time such as 2026-11-24T10:00:00Z");
            }
            (key == "from" ? filter.from_ms : filter.to_ms) = *ms;
        } else if (key == "error") {
            filter.error_contains = value;
        } else if (key == "cursor") {
            cursor = value;
        } else if (key == "limit") {
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
            if (ec != std::errc() || end != value.data() + value.size() || limit == 0 ||
                limit > largest_page) {
                co_return bad_query(req, "limit must be from 1 to " + std::to_string(largest_page));
            }
        } else {
            co_return bad_query(req, "unknown parameter '" + key +
                                         "' (process, state, from, to, error, limit, cursor)");
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

boost::asio::awaitable<response> handle_replay(request req, std::string id, service& svc) {
    const auto replayed = co_await svc.gateway->replay(id);
    if (!replayed) co_return submit_failure(replayed.error(), req);
    if (const auto* refused = std::get_if<engine::replay_refusal>(&*replayed)) {
        const auto status = refused->error == "unknown_execution" ? http::status::not_found
                            : refused->error == "storage_error"
                                ? http::status::internal_server_error
                                : http::status::conflict;
        co_return error_response(status, refused->error, refused->detail, req);
    }
    const auto& stored = std::get<engine::intake_reply>(*replayed);
    if (stored.status != engine::intake_status::ok) co_return intake_failure(stored, req);
    boost::json::object body;
    body["execution_id"] = stored.accepted.execution_id;
    body["replay_of"] = id;
    body["document_count"] = stored.accepted.document_count;
    body["durability"] = stored.accepted.durability;
    auto res = json_response(http::status::accepted, boost::json::serialize(body), req.version(),
                             req.keep_alive());
    res.set(http::field::location, "/_admin/executions/" + stored.accepted.execution_id);
    co_return res;
}

}  // namespace ferry::ingress
