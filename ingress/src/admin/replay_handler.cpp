// Bulk replays (docs/admin-api.md, "Replay"): POST /_admin/replays starts one in the
// background; GET /_admin/replays[/<id>] reads progress; POST /_admin/replays/<id>/cancel.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "admin/admin_api.hpp"
#include "admin/execution_json.hpp"
#include "admin/execution_query.hpp"
#include "ferry/profiles/utf8.hpp"
#include "http/responses.hpp"

namespace ferry::ingress {
namespace {

constexpr std::string_view replays_prefix = "/_admin/replays/";
constexpr std::size_t most_ids = 100'000;

response bad_query(const request& req, std::string detail) {
    return error_response(http::status::bad_request, "invalid_query", detail, req);
}

boost::json::value time_or_null(std::int64_t ms) {
    return ms == 0 ? boost::json::value(nullptr) : boost::json::value(ms);
}

boost::json::object progress_json(const engine::replay_progress& p, bool with_items) {
    boost::json::object out;
    out["replay_id"] = p.id;
    out["state"] = p.state;
    boost::json::object filter;
    const auto& f = p.request.filter;
    if (!f.process.empty()) filter["process"] = f.process;
    if (f.state) filter["state"] = store::to_string(*f.state);
    if (f.from_ms != 0) filter["from_ms"] = f.from_ms;
    if (f.to_ms != 0) filter["to_ms"] = f.to_ms;
    if (!f.error_contains.empty()) filter["error"] = f.error_contains;
    for (const auto& [name, value] : f.property_equals) filter[name] = value;
    if (!p.request.ids.empty()) filter["ids"] = p.request.ids.size();
    out["filter"] = std::move(filter);
    out["version"] =
        p.request.version ? boost::json::value(*p.request.version) : boost::json::value(nullptr);
    out["dry_run"] = p.request.dry_run;
    out["total"] = p.total;
    out["done"] = p.done;
    out["replayed"] = p.replayed;
    out["refused"] = p.refused;
    if (p.request.dry_run) out["differing"] = p.differing;
    out["started_ms"] = p.started_ms;
    out["finished_ms"] = time_or_null(p.finished_ms);
    out["error"] = p.error.empty() ? boost::json::value(nullptr) : boost::json::value(p.error);
    if (with_items) {
        boost::json::array items;
        for (const auto& item : p.items) {
            boost::json::object o;
            o["execution_id"] = item.execution_id;
            if (!item.error.empty()) {
                o["error"] = item.error;
                o["detail"] = item.detail;
            }
            if (!item.differences.empty()) {
                boost::json::array d;
                for (const auto& line : item.differences) d.emplace_back(line);
                o["differences"] = std::move(d);
                // What the dry run ended with, for a side-by-side look (docs/admin-api.md).
                if (!item.dry_last_step.empty()) {
                    o["dry_run_last_step"] = item.dry_last_step;
                    o["dry_run_output_count"] = item.dry_output_count;
                    boost::json::array outputs;
                    for (const auto& text : item.dry_outputs) {
                        outputs.emplace_back(profiles::valid_utf8(text)
                                                 ? boost::json::value(text)
                                                 : boost::json::value(nullptr));
                    }
                    o["dry_run_outputs"] = std::move(outputs);
                }
            }
            items.push_back(std::move(o));
        }
        out["items"] = std::move(items);
        out["items_truncated"] = p.items_truncated;
    }
    return out;
}

template <class T>
bool parse_unsigned(const std::string& text, T& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

response start(const request& req, const boost::urls::url_view& target, service& svc) {
    engine::replay_request r;
    bool everything = false;
    for (const auto& param : target.params()) {
        const std::string key = param.key;
        const std::string value = param.value;
        std::string bad;
        if (read_filter_parameter(key, value, r.filter, bad)) {
            if (!bad.empty()) return bad_query(req, bad);
        } else if (key == "version") {
            std::uint32_t v = 0;
            if (!parse_unsigned(value, v)) return bad_query(req, "version must be a number");
            r.version = v;
        } else if (key == "dry_run" || key == "all") {
            if (value != "true" && value != "false") {
                return bad_query(req, key + " must be true or false");
            }
            (key == "all" ? everything : r.dry_run) = value == "true";
        } else if (key == "limit") {
            if (!parse_unsigned(value, r.limit) || r.limit == 0) {
                return bad_query(req, "limit must be a positive number");
            }
        } else {
            return bad_query(req, "unknown parameter '" + key +
                                      "' (process, state, from, to, error, version, dry_run, "
                                      "limit, all)");
        }
    }
    // A body may list the executions instead: {"ids": ["...", ...]}.
    if (!req.body().empty()) {
        boost::system::error_code ec;
        const auto body = boost::json::parse(req.body(), ec);
        const auto* ids = !ec && body.is_object() ? body.as_object().if_contains("ids") : nullptr;
        if (!ids || !ids->is_array()) {
            return error_response(http::status::bad_request, "invalid_body",
                                  "the body must be {\"ids\": [\"<execution id>\", ...]} (or "
                                  "empty, to replay by the query's filter)",
                                  req);
        }
        for (const auto& id : ids->as_array()) {
            if (!id.is_string() || id.as_string().empty()) {
                return error_response(http::status::bad_request, "invalid_body",
                                      "every id must be a non-empty string", req);
            }
            r.ids.emplace_back(id.as_string());
        }
        if (r.ids.empty() || r.ids.size() > most_ids) {
            return error_response(http::status::bad_request, "invalid_body",
                                  "give from 1 to " + std::to_string(most_ids) + " ids", req);
        }
    }
    const auto& f = r.filter;
    const bool filtered = !f.process.empty() || f.state || f.from_ms != 0 || f.to_ms != 0 ||
                          !f.error_contains.empty() || !r.ids.empty();
    if (!filtered && !everything) {
        return error_response(http::status::bad_request, "filter_required",
                              "name what to replay (process, state, from, to, error, or ids); "
                              "all=true replays the whole history",
                              req);
    }
    const auto started = svc.gateway->start_replay(std::move(r));
    if (!started) return refusal_response(started.error(), req);
    const auto& id = *started;
    const auto progress = svc.gateway->replay_job(id);
    auto res = json_response(http::status::accepted,
                             boost::json::serialize(progress_json(*progress, false)), req.version(),
                             req.keep_alive());
    res.set(http::field::location, std::string(replays_prefix) + id);
    return res;
}

// The progress of replay `id`, with its items.
response progress_response(const request& req, const std::string& id, const service& svc) {
    const auto progress = svc.gateway->replay_job(id);
    if (!progress) {
        return error_response(http::status::not_found, "unknown_replay",
                              "no replay has the id '" + id + "' (a restart forgets replays)", req);
    }
    return json_response(http::status::ok, boost::json::serialize(progress_json(*progress, true)),
                         req.version(), req.keep_alive());
}

}  // namespace

response start_replay(const routed_request& r) { return start(r.req, r.target, r.svc); }

response list_replays(const routed_request& r) {
    boost::json::array list;
    for (const auto& p : r.svc.gateway->list_replays()) list.push_back(progress_json(p, false));
    boost::json::object body;
    body["replays"] = std::move(list);
    return json_response(http::status::ok, boost::json::serialize(body), r.req.version(),
                         r.req.keep_alive());
}

response show_replay(const routed_request& r) {
    return progress_response(r.req, r.param("id"), r.svc);
}

response cancel_replay(const routed_request& r) {
    const auto& id = r.param("id");
    if (!r.svc.gateway->cancel_replay(id)) {
        return error_response(http::status::not_found, "unknown_replay",
                              "no replay has the id '" + id + "'", r.req);
    }
    return progress_response(r.req, id, r.svc);
}

}  // namespace ferry::ingress
