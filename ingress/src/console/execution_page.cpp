// GET /_console/executions/{id}: one execution — its facts, properties, request documents,
// step trace with each step's documents, the reply as sent, and the links along its replay
// chain and queue deliveries. Documents show a 10 KB preview of their exact stored text; the
// download has every byte.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "admin/execution_json.hpp"
#include "console/admin_reader.hpp"
#include "console/console_pages.hpp"
#include "console/html.hpp"
#include "console/page.hpp"
#include "console/previews.hpp"
#include "ferry/profiles/utf8.hpp"
#include "ferry/store/error.hpp"
#include "http/responses.hpp"
#include "service.hpp"

namespace ferry::ingress::console {
namespace {

constexpr std::size_t documents_per_page = 20;  // request documents shown at once
constexpr std::size_t outputs_previewed = 5;    // per step; the others are links

std::string properties_table(const boost::json::object& props) {
    if (props.empty()) return "<p class=\"empty\">None.</p>";
    std::string out = "<table class=\"data\"><tbody>";
    for (const auto& [key, value] : props) {
        out += "<tr>" + tag("th", key) + tag("td", text_of(value), "class=\"mono\"") + "</tr>";
    }
    return out + "</tbody></table>";
}

std::string download_url(const std::string& execution, const std::string& document) {
    return "/_console/executions/" + url_encode(execution) + "/documents/" + url_encode(document);
}

// One document: its id, size, raw/pretty views of the preview, download, properties.
boost::asio::awaitable<std::string> document_block(const routed_request& r,
                                                   const std::string& execution,
                                                   const std::string& document) {
    const auto doc = co_await r.svc.gateway->document(document);
    std::string out = "<div class=\"doc\" id=\"doc-" + escape(document) + "\"><header>" +
                      tag("span", document, "class=\"mono\"");
    if (!doc) {
        out += "</header><p class=\"empty\">" +
               escape(doc.error() == store::errc::not_found
                          ? "Not stored (bridge mode keeps no step outputs)."
                          : "Could not be read: " + doc.error().message()) +
               "</p></div>";
        co_return out;
    }
    const auto& data = doc->data;
    const bool text = profiles::valid_utf8(preview_of(data, preview_bytes));
    out += tag("span", bytes_text(data.size()), "class=\"muted\"");
    if (text) {
        out +=
            "<span class=\"views\"><button type=\"button\" data-view=\"raw\" "
            "aria-pressed=\"true\">Raw</button><button type=\"button\" data-view=\"pretty\" "
            "aria-pressed=\"false\">Pretty</button></span>";
    }
    out += link(download_url(execution, document), "Download", "class=\"button\" download") +
           "</header>";
    if (text) {
        const auto shown = preview_of(data, preview_bytes);
        out += tag("pre", shown, "class=\"payload\"");
        if (shown.size() < data.size()) {
            out += "<p class=\"hint\">The first " + bytes_text(shown.size()) + " of " +
                   bytes_text(data.size()) + "; the download has all of it.</p>";
        }
    } else {
        out += "<p class=\"empty\">Binary (not UTF-8 text): download it to see it.</p>";
    }
    boost::json::object props;
    for (const auto& [key, value] : doc->props)
        props[profiles::as_utf8(key)] = profiles::as_utf8(value);
    out += "<details><summary>Document properties (" + std::to_string(props.size()) +
           ")</summary>" + properties_table(props) + "</details></div>";
    co_return out;
}

std::string fact(std::string_view name, std::string value_html) {
    return tag("dt", name) + "<dd>" + value_html + "</dd>";
}

std::string execution_link(const boost::json::value& id) {
    const auto text = text_of(id);
    if (text.empty()) return "–";
    return link("/_console/executions/" + url_encode(text), text, "class=\"mono\"");
}

std::string facts(const boost::json::object& e) {
    const auto id = text_of(e.at("id"));
    std::string out = "<dl class=\"facts\">";
    out += fact("Process",
                escape(text_of(e.at("process")) + " version " + text_of(e.at("process_version"))));
    out += fact("State", badge(text_of(e.at("state"))));
    out += fact("Created", escape(text_of(e.at("created_at"))));
    out += fact("Started", escape(text_of(e.at("started_at"))));
    out += fact("Finished", escape(text_of(e.at("finished_at"))));
    const auto duration = text_of(e.at("duration_ms"));
    out += fact("Duration", duration.empty() ? "–" : escape(duration + " ms"));
    out += fact("Attempts", escape(text_of(e.at("attempts"))));
    if (const auto error = text_of(e.at("error")); !error.empty()) {
        out += fact("Error", tag("span", error, "class=\"error\""));
    }
    if (const auto correlation = text_of(e.at("correlation_id")); !correlation.empty()) {
        out += fact("Correlation id",
                    link("/_console/executions?correlation_id=" + url_encode(correlation),
                         correlation, "class=\"mono\""));
    }
    out += fact("Replay of", execution_link(e.at("replay_of")));
    out += fact("Replays of it", link("/_console/executions?replay_of=" + url_encode(id),
                                      "executions replaying this one"));
    if (const auto* q = e.if_contains("queue"); q && q->is_object()) {
        const auto& queue = q->get_object();
        const auto name = text_of(queue.at("name"));
        out += fact("Queue", link("/_console/queues?queue=" + url_encode(name), name) +
                                 " · delivery " + escape(text_of(queue.at("delivery"))));
        out += fact("Sent by", execution_link(queue.at("sent_by")));
        out += fact("Redelivery of", execution_link(queue.at("redelivery_of")));
        out += fact("Redelivered as", execution_link(queue.at("redelivered_as")));
        out += fact("Resent from", execution_link(queue.at("resent_from")));
    }
    out += fact("Messages it sent", link("/_console/executions?sent_by=" + url_encode(id),
                                         "queue deliveries it started"));
    return out + "</dl>";
}

std::size_t offset_param(const boost::urls::url_view& target, std::string_view name) {
    const auto it = target.params().find(name);
    if (it == target.params().end()) return 0;
    try {
        return std::stoul(std::string((*it).value));
    } catch (...) {
        return 0;
    }
}

}  // namespace

page execution_page(routed_request r) {
    const auto& id = r.param("id");
    const auto found = co_await read_admin(r, "/_admin/executions/" + url_encode(id));
    if (!found.ok()) {
        co_return error_page(r, section::executions, static_cast<http::status>(found.status),
                             "unknown_execution", found.problem());
    }
    const auto& e = found.body.get_object();
    std::string body = "<p class=\"mono\">" + escape(id) + "</p><div class=\"toolbar\">";
    body += action_button({.label = "Replay",
                           .url = "/_admin/executions/" + url_encode(id) + "/replay",
                           .confirm = "Replay this execution? It runs again for real, as a new "
                                      "execution.",
                           .then = "/_console/executions/{execution_id}",
                           .style = "primary"});
    body += action_button(
        {.label = "Dry-run replay",
         .url = "/_admin/replays?dry_run=true",
         .then = "/_console/replays/{replay_id}",
         .body = boost::json::serialize(boost::json::object{{"ids", boost::json::array{id}}})});
    body += "</div><section class=\"panel\"><h2>Execution</h2>" + facts(e) + "</section>";

    body += "<section class=\"panel\"><h2>Process properties</h2>";
    if (const auto* props = e.if_contains("properties"); props && props->is_object()) {
        body += properties_table(props->get_object());
    }
    body += "</section>";

    // Request documents, a page at a time.
    const auto& documents = e.at("documents").get_array();
    const auto from = std::min(offset_param(r.target, "documents_from"), documents.size());
    body += "<section class=\"panel\"><h2>Request documents (" + std::to_string(documents.size()) +
            ")</h2>";
    for (std::size_t i = from; i < std::min(documents.size(), from + documents_per_page); ++i) {
        body += co_await document_block(r, id, text_of(documents[i]));
    }
    if (documents.size() > from + documents_per_page) {
        body += "<div class=\"pager\">" +
                link("/_console/executions/" + url_encode(id) +
                         "?documents_from=" + std::to_string(from + documents_per_page),
                     "Next documents", "class=\"button\"") +
                "</div>";
    }
    body += "</section>";

    body += "<section class=\"panel\"><h2>Step trace</h2>";
    const auto* trace = e.if_contains("trace");
    if (!trace || !trace->is_array() || trace->get_array().empty()) {
        body += "<p class=\"empty\">No trace yet (the execution has not finished).</p>";
    } else {
        body += "<ol class=\"trace\">";
        for (const auto& t : trace->get_array()) {
            const auto& step = t.get_object();
            const auto error = text_of(step.at("error"));
            body += std::string("<li") + (error.empty() ? "" : " class=\"failed\"") +
                    "><div class=\"head\">" + tag("strong", text_of(step.at("step"))) +
                    tag("span", text_of(step.at("kind")), "class=\"kind\"") +
                    tag("span",
                        text_of(step.at("documents_in")) + " in → " +
                            text_of(step.at("documents_out")) + " out" +
                            (text_of(step.at("documents_failed")) == "0"
                                 ? std::string()
                                 : ", " + text_of(step.at("documents_failed")) + " failed"),
                        "class=\"muted\"") +
                    tag("span", text_of(step.at("micros")) + " µs", "class=\"muted\"") + "</div>";
            if (!error.empty()) body += tag("p", error, "class=\"problem\"");
            const auto& outputs = step.at("output_documents").get_array();
            for (std::size_t i = 0; i < outputs.size(); ++i) {
                const auto doc = text_of(outputs[i]);
                if (i < outputs_previewed) {
                    body += co_await document_block(r, id, doc);
                } else {
                    body += "<div>" + link(download_url(id, doc), doc, "class=\"mono\" download") +
                            "</div>";
                }
            }
            body += "</li>";
        }
        body += "</ol>";
        if (const auto untraced = text_of(e.at("untraced_steps")); untraced != "0") {
            body += "<p class=\"hint\">" + escape(untraced) +
                    " more step runs were not traced (the trace keeps the first ones).</p>";
        }
    }
    body += "</section>";

    // The reply a synchronous caller got (kept for callers that come back for it).
    const auto kept = co_await r.svc.gateway->kept("reply/" + id);
    body += "<section class=\"panel\"><h2>Reply as sent</h2>";
    if (!kept) {
        body += "<p class=\"empty\">" +
                escape(kept.error() == store::errc::not_found
                           ? "None kept: the operation is asynchronous, or the reply expired."
                           : "Could not be read: " + kept.error().message()) +
                "</p>";
    } else {
        const auto& answer = kept->answer;
        body += "<div class=\"doc\"><header>" +
                tag("strong", "HTTP " + std::to_string(answer.status)) +
                tag("span", bytes_text(answer.body.size()), "class=\"muted\"") +
                (kept->expired ? badge("expired") : std::string()) + "</header>";
        std::string headers;
        for (const auto& [name, value] : answer.headers) headers += name + ": " + value + "\n";
        if (!headers.empty()) body += tag("pre", headers, "class=\"payload\"");
        const auto shown = preview_of(answer.body, preview_bytes);
        body += profiles::valid_utf8(shown) ? tag("pre", shown, "class=\"payload\"")
                                            : std::string("<p class=\"empty\">Binary body.</p>");
        body += "</div>";
    }
    body += "</section>";
    co_return page_response(r, section::executions, "Execution", body);
}

page document_download(routed_request r) {
    const auto& execution = r.param("id");
    const auto& document = r.param("document");
    if (!document.starts_with(execution + "-")) {
        co_return error_response(http::status::not_found, "unknown_document",
                                 "execution '" + execution + "' has no document '" + document + "'",
                                 r.req);
    }
    auto doc = co_await r.svc.gateway->document(document);
    if (!doc) {
        co_return error_response(doc.error() == store::errc::not_found
                                     ? http::status::not_found
                                     : http::status::internal_server_error,
                                 "unknown_document", doc.error().message(), r.req);
    }
    response res{http::status::ok, r.req.version()};
    add_console_headers(res);
    res.set(http::field::content_type, "application/octet-stream");
    res.set(http::field::content_disposition, "attachment; filename=\"" + document + "\"");
    res.keep_alive(r.req.keep_alive());
    res.body() = std::move(doc->data);
    res.prepare_payload();
    co_return res;
}

}  // namespace ferry::ingress::console
