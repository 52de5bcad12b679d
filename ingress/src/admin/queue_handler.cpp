// The admin API for internal queues (docs/admin-api.md, "Queues and dead letters"):
// GET /_admin/queues; GET /_admin/dead-letters[/<id>]; POST /_admin/dead-letters/<id>/resend
// and /_admin/dead-letters/resend?queue=|all=true; DELETE /_admin/dead-letters/<id> and
// /_admin/dead-letters?queue=|all=true.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "admin/admin_api.hpp"
#include "admin/execution_json.hpp"
#include "ferry/store/error.hpp"
#include "http/responses.hpp"
#include "services/submit_answers.hpp"

namespace ferry::ingress {
namespace {

constexpr std::size_t most_per_bulk_call = 10'000;  // a bulk call reports `more` beyond this

boost::json::array names(const std::vector<std::string>& list) {
    boost::json::array out;
    for (const auto& name : list) out.emplace_back(name);
    return out;
}

boost::json::object letter_json(const engine::dead_letter_view& v) {
    boost::json::object out;
    out["id"] = v.letter.execution_id;
    out["queue"] = v.letter.queue;
    out["dead_at"] = timestamp(v.letter.dead_ms);
    if (!v.execution) {
        out["execution"] = nullptr;  // deleted by retention
        return out;
    }
    const auto& rec = *v.execution;
    const auto prop = [&](const char* name) -> std::string {
        const auto it = rec.process_props.find(name);
        return it == rec.process_props.end() ? std::string() : it->second;
    };
    out["process"] = rec.process;
    out["process_version"] = rec.process_version;
    out["deliveries"] = std::strtoull(prop("queue_delivery").c_str(), nullptr, 10);
    out["sent_by"] = prop("sent_by");
    out["document_count"] = rec.document_ids.size();
    out["error"] = rec.error;
    return out;
}

// The queue a bulk call is about: ?queue=NAME, or ?all=true for every queue. Anything else
// is refused rather than guessed.
std::optional<std::string> bulk_scope(const boost::urls::url_view& target, const request& req,
                                      response& refused) {
    std::optional<std::string> queue;
    bool all = false;
    for (const auto& param : target.params()) {
        if (param.key == "queue" && !param.value.empty()) {
            queue = std::string(param.value);
        } else if (param.key == "all" && param.value == "true") {
            all = true;
        } else {
            refused = error_response(http::status::bad_request, "invalid_query",
                                     "the parameters are queue=NAME or all=true", req);
            return std::nullopt;
        }
    }
    if (queue.has_value() == all) {
        refused =
            error_response(http::status::bad_request, "invalid_query",
                           "name the dead letters: queue=NAME, or all=true for every queue", req);
        return std::nullopt;
    }
    return queue.value_or("");
}

response storage_failure(const boost::system::error_code& ec, const request& req) {
    return error_response(http::status::internal_server_error, "storage_error",
                          "the store could not be read or written: " + ec.message(), req);
}

response ok_json(boost::json::object body, const request& req,
                 http::status status = http::status::ok) {
    return json_response(status, boost::json::serialize(body), req.version(), req.keep_alive());
}

boost::asio::awaitable<response> list_queues(const request& req, service& svc) {
    const auto queues = co_await svc.gateway->queues();
    if (!queues) co_return storage_failure(queues.error(), req);
    boost::json::array list;
    for (const auto& q : *queues) {
        boost::json::object o;
        o["queue"] = q.name;
        o["listeners"] = names(q.listeners);
        o["paused"] = names(q.paused);
        o["senders"] = names(q.senders);
        o["parked"] = q.parked;
        o["dead_letters"] = q.dead_letters;
        list.push_back(std::move(o));
    }
    boost::json::object body;
    body["queues"] = std::move(list);
    body["delayed_redeliveries"] = svc.gateway->stats().delayed_redeliveries;
    co_return ok_json(std::move(body), req);
}

boost::asio::awaitable<response> list_letters(const request& req,
                                              const boost::urls::url_view& target, service& svc) {
    std::string queue, cursor;
    std::size_t limit = 50;
    for (const auto& param : target.params()) {
        const std::string value = param.value;
        if (param.key == "queue") {
            queue = value;
        } else if (param.key == "cursor") {
            cursor = value;
        } else if (param.key == "limit") {
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), limit);
            if (ec != std::errc() || end != value.data() + value.size() || limit == 0 ||
                limit > 1000) {
                co_return error_response(http::status::bad_request, "invalid_query",
                                         "limit must be from 1 to 1000", req);
            }
        } else {
            co_return error_response(http::status::bad_request, "invalid_query",
                                     "the parameters are queue, cursor and limit", req);
        }
    }
    const auto page = co_await svc.gateway->dead_letters(queue, cursor, limit);
    if (!page) co_return storage_failure(page.error(), req);
    boost::json::array letters;
    for (const auto& v : page->letters) letters.push_back(letter_json(v));
    boost::json::object body;
    body["dead_letters"] = std::move(letters);
    body["next_cursor"] = page->next_cursor.empty() ? boost::json::value(nullptr)
                                                    : boost::json::value(page->next_cursor);
    co_return ok_json(std::move(body), req);
}

boost::asio::awaitable<response> show_letter(const request& req, const std::string& id,
                                             service& svc) {
    const auto view = co_await svc.gateway->dead_letter(id);
    if (!view) {
        if (view.error() == store::errc::not_found) {
            co_return error_response(http::status::not_found, "unknown_dead_letter",
                                     "no dead letter has the id '" + id + "'", req);
        }
        co_return storage_failure(view.error(), req);
    }
    auto body = letter_json(*view);
    if (view->execution) {
        boost::json::array documents;
        for (const auto& doc : view->execution->document_ids) documents.emplace_back(doc);
        body["documents"] = std::move(documents);
        boost::json::array deliveries;
        for (const auto& rec : view->earlier_deliveries)
            deliveries.push_back(execution_summary(rec));
        deliveries.push_back(execution_summary(*view->execution));
        body["delivery_history"] = std::move(deliveries);
    }
    co_return ok_json(std::move(body), req);
}

boost::asio::awaitable<response> resend_one(const request& req, const std::string& id,
                                            service& svc) {
    co_return resubmitted(co_await svc.gateway->resend_dead_letter(id), "resent_from", id, req);
}

// Resends or clears every dead letter of a queue (or of all), oldest first, up to
// most_per_bulk_call per call; `more` says whether any are left for another call.
boost::asio::awaitable<response> bulk(const request& req, const boost::urls::url_view& target,
                                      bool resend, service& svc) {
    response refused;
    const auto queue = bulk_scope(target, req, refused);
    if (!queue) co_return refused;
    // Ids begin with their creation time (12 hex digits of ms): letters that died after this
    // call began, such as a resent message whose listener failed it again at once, sort after
    // `began` and are left for another call, so a listener that always fails is not resent in
    // a loop.
    char began[16];
    std::snprintf(
        began, sizeof began, "%012llx",
        static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count()));
    std::size_t done = 0;
    boost::json::array failures;
    std::string cursor;  // past letters that could not be resent (they stay)
    bool more = false;
    for (;;) {
        const auto page = co_await svc.gateway->dead_letters(*queue, cursor, 500);
        if (!page) co_return storage_failure(page.error(), req);
        std::vector<std::string> ids;
        bool newer = false;
        for (const auto& v : page->letters) {
            if (v.letter.execution_id >= began) {
                newer = true;
                break;
            }
            ids.push_back(v.letter.execution_id);
        }
        if (ids.empty()) break;
        if (!resend) {
            if (auto cleared = co_await svc.gateway->clear_dead_letters(ids); !cleared) {
                co_return storage_failure(cleared.error(), req);
            }
            done += ids.size();
        } else {
            for (const auto& id : ids) {
                const auto resent = co_await svc.gateway->resend_dead_letter(id);
                if (!resent) co_return submit_failure(resent.error(), req);
                if (const auto& attempt = *resent; !attempt) {
                    const auto& no = attempt.error();
                    failures.push_back({{"id", id}, {"error", no.name()}, {"detail", no.detail}});
                    cursor = id;
                } else if (attempt->status != engine::intake_status::ok) {
                    co_return intake_failure(*attempt, req);
                } else {
                    ++done;
                }
            }
        }
        if (newer || page->next_cursor.empty()) break;
        if (done + failures.size() >= most_per_bulk_call) {
            more = true;
            break;
        }
    }
    boost::json::object body;
    body[resend ? "resent" : "cleared"] = done;
    if (resend) body["refused"] = std::move(failures);
    body["more"] = more;
    co_return ok_json(std::move(body), req);
}

}  // namespace

boost::asio::awaitable<response> list_internal_queues(routed_request r) {
    co_return co_await list_queues(r.req, r.svc);
}

boost::asio::awaitable<response> list_dead_letters(routed_request r) {
    co_return co_await list_letters(r.req, r.target, r.svc);
}

boost::asio::awaitable<response> clear_dead_letters(routed_request r) {
    co_return co_await bulk(r.req, r.target, false, r.svc);
}

boost::asio::awaitable<response> resend_dead_letters(routed_request r) {
    co_return co_await bulk(r.req, r.target, true, r.svc);
}

boost::asio::awaitable<response> show_dead_letter(routed_request r) {
    co_return co_await show_letter(r.req, r.param("id"), r.svc);
}

boost::asio::awaitable<response> clear_dead_letter(routed_request r) {
    const auto& id = r.param("id");
    const auto known = co_await r.svc.gateway->dead_letter(id);
    if (!known && known.error() == store::errc::not_found) {
        co_return error_response(http::status::not_found, "unknown_dead_letter",
                                 "no dead letter has the id '" + id + "'", r.req);
    }
    const std::vector<std::string> ids = {id};
    if (auto cleared = co_await r.svc.gateway->clear_dead_letters(ids); !cleared) {
        co_return storage_failure(cleared.error(), r.req);
    }
    co_return ok_json({{"cleared", 1}}, r.req);
}

boost::asio::awaitable<response> resend_dead_letter(routed_request r) {
    co_return co_await resend_one(r.req, r.param("id"), r.svc);
}

}  // namespace ferry::ingress
