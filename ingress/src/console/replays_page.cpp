// GET /_console/replays and /_console/replays/{id}: bulk replays, their live progress, cancel;
// a dry run's differing executions, then "replay these for real".
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "admin/execution_json.hpp"
#include "console/admin_reader.hpp"
#include "console/console_pages.hpp"
#include "console/html.hpp"
#include "console/page.hpp"
#include "console/previews.hpp"
#include "service.hpp"

namespace ferry::ingress::console {
namespace {

std::string filter_text(const boost::json::value& filter) {
    if (!filter.is_object() || filter.get_object().empty()) return "all";
    std::string out;
    for (const auto& [key, value] : filter.get_object()) {
        std::string part;
        if (key == "from_ms" || key == "to_ms") {
            // "to" is the moment the replay started: only executions older than it are taken.
            part = (key == "from_ms" ? "created from " : "created before ") +
                   short_time(timestamp(value.to_number<std::int64_t>()));
        } else if (key == "ids") {
            part = text_of(value) + " chosen executions";
        } else {
            part = std::string(key) + " " + text_of(value);
        }
        out += (out.empty() ? "" : ", ") + part;
    }
    return out;
}

std::string progress_text(const boost::json::object& p) {
    return text_of(p.at("done")) + " of " + text_of(p.at("total")) + " (" +
           text_of(p.at("replayed")) + " replayed, " + text_of(p.at("refused")) + " refused" +
           (p.at("dry_run").as_bool() ? ", " + text_of(p.at("differing")) + " differing" : "") +
           ")";
}

bool in_progress(const std::string& state) { return state == "counting" || state == "running"; }

constexpr std::size_t items_per_page = 20;
constexpr std::size_t outputs_shown = 3;

std::string output_boxes(const std::vector<std::string>& texts) {
    std::string out;
    for (const auto& text : texts) out += tag("pre", text, "class=\"payload\"");
    return out;
}

// The original's side of a comparison: what its last step passed on, as stored.
boost::asio::awaitable<std::string> stored_side(const routed_request& r, const std::string& id) {
    const auto target = "/_admin/executions/" + url_encode(id);
    const auto found = co_await read_admin(r, target);
    std::string out = "<div><h3>Stored";
    if (!found.ok()) {
        co_return out + "</h3>" + tag("p", found.problem(), "class=\"problem\"") + "</div>";
    }
    const auto& e = found.body.get_object();
    const auto* trace = e.if_contains("trace");
    if (!trace || !trace->is_array() || trace->get_array().empty()) {
        co_return out + "</h3><p class=\"empty\">No trace kept.</p></div>";
    }
    const auto& last = trace->get_array().back().get_object();
    out += " (version " + escape(text_of(e.at("process_version"))) + ", ended at step '" +
           escape(text_of(last.at("step"))) + "', " + escape(text_of(last.at("documents_out"))) +
           " out)</h3>";
    if (const auto error = text_of(last.at("error")); !error.empty()) {
        out += tag("p", error, "class=\"problem\"");
    }
    std::vector<std::string> texts;
    const auto& outputs = last.at("output_documents").get_array();
    for (std::size_t i = 0; i < outputs.size() && i < outputs_shown; ++i) {
        const auto document = text_of(outputs[i]);
        const auto doc = co_await r.svc.gateway->document(document);
        texts.emplace_back(doc ? std::string(preview_of(doc->data)) : "(not stored)");
    }
    if (texts.empty() && last.at("documents_out").to_number<std::int64_t>() > 0) {
        out +=
            "<p class=\"empty\">Its outputs were not stored (bridge mode, or general mode "
            "without X-Debug keeps none).</p>";
    }
    co_return out + output_boxes(texts) + "</div>";
}

// The dry run's side, as the replay kept it.
std::string dry_side(const boost::json::object& item) {
    std::string out = "<div><h3>Dry run (ended at step '" +
                      escape(text_of(item.at("dry_run_last_step"))) + "', " +
                      escape(text_of(item.at("dry_run_output_count"))) + " out)</h3>";
    std::vector<std::string> texts;
    for (const auto& text : item.at("dry_run_outputs").get_array()) {
        texts.push_back(text.is_string() ? std::string(text.get_string()) : "(binary)");
    }
    return out + output_boxes(texts) + "</div>";
}

std::size_t items_from(const routed_request& r) {
    const auto it = r.target.params().find("items_from");
    if (it == r.target.params().end()) return 0;
    try {
        return static_cast<std::size_t>(std::stoul(std::string((*it).value)));
    } catch (...) {
        return 0;
    }
}

}  // namespace

page replays_page(routed_request r) {
    const auto replays = co_await read_admin(r, "/_admin/replays");
    if (!replays.ok()) {
        co_return error_page(r, section::replays, static_cast<http::status>(replays.status),
                             "replays", replays.problem());
    }
    const auto& list = replays.body.get_object().at("replays").get_array();
    std::string body =
        "<p class=\"hint\">Start a replay from " + link("/_console/executions", "Executions") +
        ": select executions or filter them, and dry-run first. The server keeps the last 50 "
        "replays until it restarts.</p>";
    bool running = false;
    if (list.empty()) {
        body += "<p class=\"empty\">No replay yet.</p>";
    } else {
        body +=
            "<table class=\"data\"><thead><tr><th>Replay</th><th>Kind</th><th>State</th>"
            "<th>Filter</th><th>Progress</th><th>Started (UTC)</th></tr></thead><tbody>";
        for (const auto& p : list) {
            const auto& o = p.get_object();
            const auto id = text_of(o.at("replay_id"));
            const auto state = text_of(o.at("state"));
            running = running || in_progress(state);
            body += "<tr><td class=\"id\">" + link("/_console/replays/" + url_encode(id), id) +
                    "</td>" + tag("td", o.at("dry_run").as_bool() ? "dry run" : "replay") + "<td>" +
                    badge(state) + "</td>" + tag("td", filter_text(o.at("filter"))) +
                    tag("td", progress_text(o)) +
                    tag("td", short_time(timestamp(o.at("started_ms").to_number<std::int64_t>())),
                        "class=\"mono\"") +
                    "</tr>";
        }
        body += "</tbody></table>";
    }
    if (running) body += "<span data-refresh=\"2\" hidden></span>";
    co_return page_response(r, section::replays, "Replays", body);
}

page replay_page(routed_request r) {
    const auto& id = r.param("id");
    const auto replay = co_await read_admin(r, "/_admin/replays/" + url_encode(id));
    if (!replay.ok()) {
        co_return error_page(r, section::replays, static_cast<http::status>(replay.status),
                             "unknown_replay", replay.problem());
    }
    const auto& p = replay.body.get_object();
    const auto state = text_of(p.at("state"));
    const bool dry = p.at("dry_run").as_bool();
    std::string body = "<p>" + link("/_console/replays", "← Replays") + "</p>";
    body += "<section class=\"panel\"><dl class=\"facts\">";
    body += tag("dt", "Kind") + tag("dd", dry ? "dry run (nothing stored or sent)" : "replay");
    body += tag("dt", "State") + "<dd>" + badge(state) + "</dd>";
    body += tag("dt", "Filter") + tag("dd", filter_text(p.at("filter")));
    const auto version = text_of(p.at("version"));
    body += tag("dt", "Version") + tag("dd", version.empty() ? "the serving one" : version);
    body += tag("dt", "Progress") + tag("dd", progress_text(p));
    if (const auto error = text_of(p.at("error")); !error.empty()) {
        body += tag("dt", "Error") + tag("dd", error, "class=\"error\"");
    }
    body += "</dl><div class=\"toolbar\">";
    if (in_progress(state)) {
        body += action_button({.label = "Cancel",
                               .url = "/_admin/replays/" + url_encode(id) + "/cancel",
                               .confirm = "Cancel this replay? What it queued already runs.",
                               .style = "danger"});
        body += "<span data-refresh=\"1\" hidden></span>";
    }
    // The differing executions of a finished dry run, replayed for real in one go.
    boost::json::array differing;
    const auto& items = p.at("items").get_array();
    for (const auto& item : items) {
        const auto& o = item.get_object();
        if (o.contains("differences")) differing.push_back(o.at("execution_id"));
    }
    if (dry && state == "finished" && !differing.empty()) {
        body += action_button(
            {.label = "Replay these " + std::to_string(differing.size()) + " for real",
             .url = "/_admin/replays",
             .confirm = "Replay the " + std::to_string(differing.size()) +
                        " differing executions for real?",
             .then = "/_console/replays/{replay_id}",
             .body = boost::json::serialize(boost::json::object{{"ids", differing}}),
             .style = "primary"});
    }
    body += "</div></section>";
    body += "<section class=\"panel\"><h2>" +
            std::string(dry ? "Executions that differ or could not run" : "Executions refused") +
            "</h2>";
    if (items.empty()) {
        body += "<p class=\"empty\">" +
                std::string(dry ? "None: every execution came out as it did before." : "None.") +
                "</p>";
    } else if (dry) {
        // Each differing execution: what differs, then its output as stored and as the dry run
        // left it, side by side; a page of them at a time.
        const auto from = std::min(items_from(r), items.size());
        for (std::size_t i = from; i < items.size() && i < from + items_per_page; ++i) {
            const auto& o = items[i].get_object();
            const auto execution = text_of(o.at("execution_id"));
            body +=
                "<div class=\"doc\"><header>" +
                link("/_console/executions/" + url_encode(execution), execution, "class=\"mono\"") +
                "</header>";
            if (const auto* differences = o.if_contains("differences")) {
                body += "<ul>";
                for (const auto& d : differences->get_array()) body += tag("li", text_of(d));
                body += "</ul>";
            } else {
                body += tag("p", text_of(o.at("error")) + ": " + text_of(o.at("detail")),
                            "class=\"problem\"");
            }
            if (o.contains("dry_run_last_step")) {
                const auto stored = co_await stored_side(r, execution);
                body += "<div class=\"diff-side\">" + stored + dry_side(o) + "</div>";
            }
            body += "</div>";
        }
        if (items.size() > from + items_per_page) {
            body += "<div class=\"pager\">" +
                    link("/_console/replays/" + url_encode(id) +
                             "?items_from=" + std::to_string(from + items_per_page),
                         "Next executions", "class=\"button\"") +
                    "</div>";
        }
    } else {
        body +=
            "<table class=\"data\"><thead><tr><th>Execution</th><th>What differs</th>"
            "</tr></thead><tbody>";
        for (const auto& item : items) {
            const auto& o = item.get_object();
            const auto execution = text_of(o.at("execution_id"));
            std::string what;
            if (const auto* differences = o.if_contains("differences")) {
                for (const auto& d : differences->get_array()) what += tag("div", text_of(d));
            } else {
                what = tag("div", text_of(o.at("error")) + ": " + text_of(o.at("detail")),
                           "class=\"error\"");
            }
            body += "<tr><td class=\"id\">" +
                    link("/_console/executions/" + url_encode(execution), execution) + "</td><td>" +
                    what + "</td></tr>";
        }
        body += "</tbody></table>";
    }
    if (p.at("items_truncated").as_bool()) {
        body += "<p class=\"hint\">Only the first 1,000 are listed.</p>";
    }
    body += "</section>";
    co_return page_response(r, section::replays, "Replay " + id, body);
}

}  // namespace ferry::ingress::console
