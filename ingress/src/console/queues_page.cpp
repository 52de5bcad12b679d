// GET /_console/queues[?queue=NAME][&cursor=ID]: the internal queues — who listens and sends,
// what waits — and their dead letters, paged on the server; resend or clear one, the selected
// or all, each after a confirmation; a letter's delivery history.
#include "console/admin_reader.hpp"
#include "console/console_pages.hpp"
#include "console/html.hpp"
#include "console/page.hpp"

namespace ferry::ingress::console {
namespace {

std::string names(const boost::json::value& list) {
    std::string out;
    if (!list.is_array()) return out;
    for (const auto& v : list.get_array()) out += (out.empty() ? "" : ", ") + text_of(v);
    return out;
}

std::string queues_table(const boost::json::array& queues, const std::string& current) {
    std::string out =
        "<table class=\"data\"><thead><tr><th>Queue</th><th>Listeners</th><th>Paused</th>"
        "<th>Senders</th><th class=\"num\">Parked</th><th class=\"num\">Dead letters</th>"
        "</tr></thead><tbody>";
    for (const auto& q : queues) {
        const auto& o = q.get_object();
        const auto name = text_of(o.at("queue"));
        out += std::string("<tr") + (name == current ? " aria-current=\"true\"" : "") + ">";
        out += "<td>" + link("/_console/queues?queue=" + url_encode(name), name) + "</td>";
        out += tag("td", names(o.at("listeners")));
        out += tag("td", names(o.at("paused")));
        out += tag("td", names(o.at("senders")));
        out += tag("td", text_of(o.at("parked")), "class=\"num\"");
        const auto dead = text_of(o.at("dead_letters"));
        out += "<td class=\"num\">" +
               (dead == "0" ? std::string("0") : tag("span", dead, "class=\"badge state-bad\"")) +
               "</td></tr>";
    }
    return out + "</tbody></table>";
}

std::string dead_letter_row(const boost::json::object& d) {
    const auto id = text_of(d.at("id"));
    std::string row = "<tr><td>" + select_box(id) + "</td>";
    row +=
        "<td class=\"id\">" + link("/_console/queues/dead-letters/" + url_encode(id), id) + "</td>";
    row += tag("td", text_of(d.at("process")) + " v" + text_of(d.at("process_version")));
    row += tag("td", short_time(d.at("dead_at")), "class=\"mono\"");
    row += tag("td", text_of(d.at("deliveries")), "class=\"num\"");
    row += tag("td", text_of(d.at("document_count")), "class=\"num\"");
    row += tag("td", text_of(d.at("error")), "class=\"error\"");
    const auto base = "/_admin/dead-letters/" + url_encode(id);
    row += "<td class=\"toolbar\">" +
           action_button({.label = "Resend",
                          .url = base + "/resend",
                          .confirm = "Resend this message to its listener?",
                          .style = "primary"}) +
           action_button({.label = "Clear",
                          .url = base,
                          .method = "DELETE",
                          .confirm = "Clear this dead letter for good?",
                          .style = "danger"}) +
           "</td></tr>";
    return row;
}

}  // namespace

page queues_page(routed_request r) {
    const auto param = [&](std::string_view key) {
        const auto it = r.target.params().find(key);
        return it == r.target.params().end() ? std::string() : std::string((*it).value);
    };
    const auto queue = param("queue");
    const auto cursor = param("cursor");
    const auto queues = co_await read_admin(r, "/_admin/queues");
    if (!queues.ok()) {
        co_return error_page(r, section::queues, static_cast<http::status>(queues.status), "queues",
                             queues.problem());
    }
    const auto& list = queues.body.get_object().at("queues").get_array();
    std::string body;
    if (list.empty()) {
        body += "<p class=\"empty\">No process listens on or sends to an internal queue.</p>";
    } else {
        body += queues_table(list, queue);
    }
    body += "<p class=\"hint\">" + text_of(queues.body.get_object().at("delayed_redeliveries")) +
            " failed deliveries wait for their next attempt.</p>";

    const auto scope = queue.empty() ? std::string("all=true") : "queue=" + url_encode(queue);
    // Built apart: GCC 12 frees a temporary made in one branch of ?: inside co_await twice.
    std::string target = "/_admin/dead-letters?limit=50";
    if (!queue.empty()) target += "&queue=" + url_encode(queue);
    if (!cursor.empty()) target += "&cursor=" + url_encode(cursor);
    const auto letters = co_await read_admin(r, std::move(target));
    body += "<section class=\"panel\"><h2>Dead letters" +
            (queue.empty() ? std::string(" (every queue)") : " of " + escape(queue)) + "</h2>";
    if (!letters.ok()) {
        body += "<p class=\"problem\">" + escape(letters.problem()) + "</p></section>";
        co_return page_response(r, section::queues, "Queues and dead letters", body);
    }
    const auto& dead = letters.body.get_object().at("dead_letters").get_array();
    body += "<div class=\"toolbar\">";
    body += action_button({.label = "Resend the selected",
                           .confirm = "Resend {n} messages?",
                           .selection = "dead-letters",
                           .each_url = "/_admin/dead-letters/{}/resend"});
    body += action_button({.label = "Clear the selected",
                           .method = "DELETE",
                           .confirm = "Clear {n} dead letters for good?",
                           .selection = "dead-letters",
                           .each_url = "/_admin/dead-letters/{}",
                           .style = "danger"});
    body += "<span class=\"spacer\"></span>";
    const auto whose = queue.empty() ? std::string("of every queue") : "of " + queue;
    body += action_button({.label = "Resend all",
                           .url = "/_admin/dead-letters/resend?" + scope,
                           .confirm = "Resend every dead letter " + whose + "?"});
    body += action_button({.label = "Clear all",
                           .url = "/_admin/dead-letters?" + scope,
                           .method = "DELETE",
                           .confirm = "Clear every dead letter " + whose + " for good?",
                           .style = "danger"});
    body += "</div>";
    if (dead.empty()) {
        body += "<p class=\"empty\">No dead letters.</p>";
    } else {
        body +=
            "<table class=\"data\" id=\"dead-letters\"><thead><tr>"
            "<th><input type=\"checkbox\" class=\"select-all\" aria-label=\"select all\"></th>"
            "<th>Dead letter</th><th>Process</th><th>Dead at (UTC)</th><th class=\"num\">"
            "Deliveries</th><th class=\"num\">Docs</th><th>Error</th><th></th></tr></thead><tbody>";
        for (const auto& d : dead) body += dead_letter_row(d.get_object());
        body += "</tbody></table>";
    }
    if (const auto& next = letters.body.get_object().at("next_cursor"); next.is_string()) {
        body +=
            "<div class=\"pager\">" +
            link("/_console/queues?" + (queue.empty() ? "" : "queue=" + url_encode(queue) + "&") +
                     "cursor=" + url_encode(next.get_string()),
                 "Next page", "class=\"button\" rel=\"next\"") +
            "</div>";
    }
    body += "</section>";
    co_return page_response(r, section::queues, "Queues and dead letters", body);
}

page dead_letter_page(routed_request r) {
    const auto& id = r.param("id");
    const auto letter = co_await read_admin(r, "/_admin/dead-letters/" + url_encode(id));
    if (!letter.ok()) {
        co_return error_page(r, section::queues, static_cast<http::status>(letter.status),
                             "unknown_dead_letter", letter.problem());
    }
    const auto& d = letter.body.get_object();
    std::string body = "<p>" +
                       link("/_console/queues?queue=" + url_encode(text_of(d.at("queue"))),
                            "← Queue " + text_of(d.at("queue"))) +
                       "</p><div class=\"toolbar\">";
    body += action_button({.label = "Resend",
                           .url = "/_admin/dead-letters/" + url_encode(id) + "/resend",
                           .confirm = "Resend this message to its listener?",
                           .then = "/_console/executions/{execution_id}",
                           .style = "primary"});
    body += action_button({.label = "Clear",
                           .url = "/_admin/dead-letters/" + url_encode(id),
                           .method = "DELETE",
                           .confirm = "Clear this dead letter for good?",
                           .then = "/_console/queues",
                           .style = "danger"});
    body += "</div><section class=\"panel\"><h2>Delivery history</h2>";
    body +=
        "<table class=\"data\"><thead><tr><th>Delivery</th><th>Execution</th><th>State</th>"
        "<th>Created (UTC)</th><th>Error</th></tr></thead><tbody>";
    if (const auto* history = d.if_contains("delivery_history"); history && history->is_array()) {
        for (const auto& e : history->get_array()) {
            const auto& o = e.get_object();
            const auto execution = text_of(o.at("id"));
            std::string delivery;
            if (const auto* q = o.if_contains("queue"); q && q->is_object()) {
                delivery = text_of(q->get_object().at("delivery"));
            }
            body += "<tr>" + tag("td", delivery, "class=\"num\"") + "<td class=\"id\">" +
                    link("/_console/executions/" + url_encode(execution), execution) + "</td><td>" +
                    badge(text_of(o.at("state"))) + "</td>" +
                    tag("td", short_time(o.at("created_at")), "class=\"mono\"") +
                    tag("td", text_of(o.at("error")), "class=\"error\"") + "</tr>";
        }
    }
    body += "</tbody></table></section>";
    co_return page_response(r, section::queues, "Dead letter " + id, body);
}

}  // namespace ferry::ingress::console
