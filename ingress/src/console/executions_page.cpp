// GET /_console/executions: the history with the admin API's filters, paged on the server by
// cursor; replay (dry run first) of the selected or all matching; export as CSV or NDJSON.
#include <boost/json/serialize.hpp>

#include "console/admin_reader.hpp"
#include "console/console_pages.hpp"
#include "console/execution_filter.hpp"
#include "console/html.hpp"
#include "console/page.hpp"
#include "http/responses.hpp"

namespace ferry::ingress::console {
namespace {

constexpr std::string_view states[] = {"queued", "running", "succeeded", "failed", "cancelled"};

std::string text_field(std::string_view name, std::string_view label, std::string_view value,
                       std::string_view placeholder = {}) {
    return "<label>" + escape(label) + "<input type=\"search\" name=\"" + escape(name) +
           "\" value=\"" + escape(value) + "\" placeholder=\"" + escape(placeholder) +
           "\"></label>";
}

std::string choice(std::string_view name, std::string_view label,
                   const std::vector<std::string>& options, std::string_view current,
                   std::string_view any = "any") {
    std::string out = "<label>" + escape(label) + "<select name=\"" + escape(name) + "\">";
    if (!any.empty()) out += "<option value=\"\">" + escape(any) + "</option>";
    for (const auto& option : options) {
        out += "<option" + std::string(option == current ? " selected" : "") + ">" +
               escape(option) + "</option>";
    }
    return out + "</select></label>";
}

std::vector<std::string> process_names(const boost::json::value& processes) {
    std::vector<std::string> out;
    const auto* list =
        processes.is_object() ? processes.get_object().if_contains("processes") : nullptr;
    if (!list || !list->is_array()) return out;
    for (const auto& p : list->get_array()) {
        auto name = text_of(p.get_object().at("process"));
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
    }
    return out;
}

std::string filter_form(const execution_filter_form& f, const std::vector<std::string>& processes) {
    std::string out = "<form class=\"filters\" method=\"get\" action=\"/_console/executions\">";
    out += choice("process", "Process", processes, f.value("process"));
    out += choice("state", "State", {std::begin(states), std::end(states)}, f.value("state"));
    out += text_field("from", "From (UTC)", f.value("from"), "2026-12-05T08:00");
    out += text_field("to", "To (UTC)", f.value("to"), "2026-12-05T18:00");
    out += text_field("error", "Error contains", f.value("error"));
    out += text_field("id", "Execution id", f.id);
    out += text_field("correlation_id", "Correlation id", f.value("correlation_id"));
    out += text_field("replay_of", "Replay of", f.value("replay_of"));
    out += choice("limit", "Per page", {"25", "50", "100", "200", "500"}, f.limit, "");
    out += "<button class=\"primary\" type=\"submit\">Filter</button>";
    out += "<a class=\"button\" href=\"/_console/executions\">Clear</a></form>";
    return out;
}

std::string execution_row(const boost::json::object& e) {
    const auto id = text_of(e.at("id"));
    std::string row = "<tr><td>" + select_box(id) + "</td>";
    row += "<td class=\"id\">" + link("/_console/executions/" + url_encode(id), id) + "</td>";
    row += tag("td", text_of(e.at("process")) + " v" + text_of(e.at("process_version")));
    row += "<td>" + badge(text_of(e.at("state"))) + "</td>";
    row += tag("td", short_time(e.at("created_at")), "class=\"mono\"");
    const auto duration = text_of(e.at("duration_ms"));
    row += tag("td", duration.empty() ? "" : duration + " ms", "class=\"num\"");
    row += tag("td", text_of(e.at("document_count")), "class=\"num\"");
    row += tag("td", text_of(e.at("attempts")), "class=\"num\"");
    const auto replay_of = text_of(e.at("replay_of"));
    row += "<td class=\"id\">" +
           (replay_of.empty() ? std::string()
                              : link("/_console/executions/" + url_encode(replay_of), replay_of)) +
           "</td>";
    row += tag("td", text_of(e.at("error")), "class=\"error\"") + "</tr>";
    return row;
}

}  // namespace

page executions_page(routed_request r) {
    const auto form = read_filter_form(r.target);
    if (!form.id.empty()) {
        // An id goes straight to its execution, when there is one.
        const auto found = co_await read_admin(r, "/_admin/executions/" + url_encode(form.id));
        if (found.ok()) {
            response res{http::status::found, r.req.version()};
            res.set(http::field::location, "/_console/executions/" + url_encode(form.id));
            add_console_headers(res);
            res.keep_alive(r.req.keep_alive());
            res.prepare_payload();
            co_return res;
        }
    }
    const auto processes = co_await read_admin(r, "/_admin/processes");
    std::string body = filter_form(form, process_names(processes.body));
    if (!form.id.empty()) {
        body += "<p class=\"problem\">No execution has the id " + escape(form.id) + ".</p>";
    }
    std::string query = form.query();
    // Built apart: GCC 12 frees a temporary made in one branch of ?: inside co_await twice.
    std::string target = "/_admin/executions?" + query + (query.empty() ? "" : "&") +
                         "limit=" + url_encode(form.limit);
    if (!form.cursor.empty()) target += "&cursor=" + url_encode(form.cursor);
    const auto listing = co_await read_admin(r, std::move(target));
    if (!listing.ok()) {
        body += "<p class=\"problem\">" + escape(listing.problem()) + "</p>";
        co_return page_response(r, section::executions, "Executions", body,
                                static_cast<http::status>(listing.status));
    }
    const auto& answer = listing.body.get_object();
    const auto& executions = answer.at("executions").get_array();

    const std::string replays = "/_admin/replays?dry_run=true";
    body += "<div class=\"toolbar\">";
    body += action_button({.label = "Dry-run replay of the selected",
                           .url = replays,
                           .confirm = "Dry-run {n} executions? Nothing is stored or sent.",
                           .then = "/_console/replays/{replay_id}",
                           .selection = "executions"});
    body += action_button({.label = "Dry-run replay of all matching",
                           .url = replays + "&" + (query.empty() ? "all=true" : query),
                           .confirm = "Dry-run every execution matching this filter? Nothing is "
                                      "stored or sent.",
                           .then = "/_console/replays/{replay_id}"});
    body += "<span class=\"spacer\"></span>";
    const std::string export_query = query.empty() ? "" : "&" + query;
    body += link("/_console/executions/export?format=csv" + export_query, "Export CSV",
                 "class=\"button\" download");
    body += link("/_console/executions/export?format=ndjson" + export_query, "Export NDJSON",
                 "class=\"button\" download");
    body += "</div>";

    if (executions.empty()) {
        body += "<p class=\"empty\">No execution matches" +
                std::string(form.cursor.empty() ? "" : " on this page") + ".</p>";
    } else {
        body +=
            "<table class=\"data\" id=\"executions\"><thead><tr>"
            "<th><input type=\"checkbox\" class=\"select-all\" aria-label=\"select all\"></th>"
            "<th>Execution</th><th>Process</th><th>State</th><th>Created (UTC)</th>"
            "<th class=\"num\">Duration</th><th class=\"num\">Docs</th>"
            "<th class=\"num\">Attempts</th><th>Replay of</th><th>Error</th></tr></thead><tbody>";
        for (const auto& e : executions) body += execution_row(e.get_object());
        body += "</tbody></table>";
    }
    body += "<div class=\"pager\">";
    const std::string here = "/_console/executions?" + query + (query.empty() ? "" : "&") +
                             "limit=" + url_encode(form.limit);
    if (!form.cursor.empty()) body += link(here, "First page", "class=\"button\"");
    if (const auto& next = answer.at("next_cursor"); next.is_string()) {
        body += link(here + "&cursor=" + url_encode(next.get_string()), "Next page",
                     "class=\"button\" rel=\"next\"");
    }
    body += "<span>" + std::to_string(executions.size()) + " shown, " +
            text_of(answer.at("scanned")) + " records read for this page</span></div>";
    co_return page_response(r, section::executions, "Executions", body);
}

page executions_export(routed_request r) {
    const auto form = read_filter_form(r.target);
    const auto format_it = r.target.params().find("format");
    const std::string format = format_it == r.target.params().end() ? "csv" : (*format_it).value;
    if (format != "csv" && format != "ndjson") {
        co_return error_response(http::status::bad_request, "invalid_query",
                                 "format is csv or ndjson", r.req);
    }
    if (r.stream == nullptr) {
        co_return error_response(http::status::not_acceptable, "no_stream",
                                 "an export is sent only over a connection", r.req);
    }
    // The first page decides the status: a bad filter is an error, not an empty file.
    const auto query = form.query();
    auto page_of = [&](const std::string& cursor) {
        return read_admin(r, "/_admin/executions?limit=1000" + (query.empty() ? "" : "&" + query) +
                                 (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
    };
    auto listing = co_await page_of("");
    if (!listing.ok())
        co_return error_response(static_cast<http::status>(listing.status), "invalid_query",
                                 listing.problem(), r.req);
    // Streamed page by page (no Content-Length; the connection closes at the end): memory
    // stays one page however long the history.
    std::string head =
        "HTTP/1.1 200 OK\r\nServer: ferry\r\nCache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\nConnection: close\r\n";
    head += format == "csv" ? "Content-Type: text/csv; charset=utf-8\r\n"
                              "Content-Disposition: attachment; filename=\"executions.csv\"\r\n\r\n"
                              "id,process,process_version,state,created_at,started_at,"
                              "finished_at,duration_ms,attempts,document_count,replay_of,"
                              "correlation_id,error\r\n"
                            : "Content-Type: application/x-ndjson\r\n"
                              "Content-Disposition: attachment; filename=\"executions.ndjson\""
                              "\r\n\r\n";
    if (!co_await r.stream->write(head)) co_return response{};
    for (;;) {
        std::string chunk;
        const auto& answer = listing.body.get_object();
        for (const auto& e : answer.at("executions").get_array()) {
            if (format == "ndjson") {
                chunk += boost::json::serialize(e) + "\n";
                continue;
            }
            const auto& o = e.get_object();
            bool first = true;
            for (const char* field : {"id", "process", "process_version", "state", "created_at",
                                      "started_at", "finished_at", "duration_ms", "attempts",
                                      "document_count", "replay_of", "correlation_id", "error"}) {
                auto value = text_of(o.at(field));
                if (!first) chunk += ',';
                first = false;
                // RFC 4180 quoting; a leading = + - @ is prefixed so spreadsheets show text.
                if (!value.empty() &&
                    std::string_view("=+-@").find(value[0]) != std::string_view::npos) {
                    value.insert(0, "'");
                }
                if (value.find_first_of(",\"\r\n") != std::string::npos) {
                    std::string quoted = "\"";
                    for (const char c : value)
                        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
                    value = quoted + "\"";
                }
                chunk += value;
            }
            chunk += "\r\n";
        }
        if (!chunk.empty() && !co_await r.stream->write(chunk)) break;
        const auto& next = answer.at("next_cursor");
        if (!next.is_string()) break;
        listing = co_await page_of(std::string(next.get_string()));
        if (!listing.ok()) break;
    }
    co_return response{};
}

}  // namespace ferry::ingress::console
