// GET /_console/: the node at a glance, its live figures and what needs an operator.
#include <boost/json/value.hpp>

#include "console/admin_reader.hpp"
#include "console/console_pages.hpp"
#include "console/html.hpp"
#include "console/page.hpp"
#include "service.hpp"
#include "version.hpp"

namespace ferry::ingress::console {
namespace {

// Below either, the disk is reported low (RocksDB stops writing with less than 64 MiB).
constexpr std::uint64_t low_disk_bytes = 1ull << 30;
constexpr double low_disk_share = 0.05;

std::string card(std::string_view label, std::string value_html, std::string sub_html = {}) {
    std::string out = "<div class=\"card\">" + tag("div", label, "class=\"label\"") +
                      "<div class=\"value\">" + value_html + "</div>";
    if (!sub_html.empty()) out += "<div class=\"sub\">" + sub_html + "</div>";
    return out + "</div>";
}

// A figure the live events update (console.js: [data-field]).
std::string live_figure(std::string_view field, std::string_view initial, int digits = 0) {
    return "<span data-field=\"" + escape(field) + "\" data-digits=\"" + std::to_string(digits) +
           "\">" + escape(initial) + "</span>";
}

struct alert {
    bool bad;  // bad: needs action now; else a warning
    std::string html;
};

std::vector<alert> find_alerts(const engine::engine_stats& stats,
                               const boost::json::value& listeners,
                               const boost::json::value& queues) {
    std::vector<alert> out;
    if (stats.intake.refusing_writes) {
        out.push_back({true,
                       "The store refuses writes (disk full or an I/O error): posts are "
                       "answered 507 until it takes them again."});
    }
    if (stats.disk_total_bytes != 0 &&
        (stats.disk_free_bytes < low_disk_bytes ||
         static_cast<double>(stats.disk_free_bytes) <
             low_disk_share * static_cast<double>(stats.disk_total_bytes))) {
        out.push_back({true, "Low disk: " + escape(bytes_text(stats.disk_free_bytes)) +
                                 " free of " + escape(bytes_text(stats.disk_total_bytes)) + "."});
    }
    if (const auto* list =
            listeners.is_object() ? listeners.get_object().if_contains("listeners") : nullptr;
        list && list->is_array()) {
        for (const auto& l : list->get_array()) {
            const auto& o = l.get_object();
            const auto state = text_of(o.at("state"));
            const auto name = text_of(o.at("operation")).empty() ? text_of(o.at("queue"))
                                                                 : text_of(o.at("operation"));
            if (state == "errored") {
                out.push_back({true, "Listener " + link("/_console/listeners", name) +
                                         " is failing: " + escape(text_of(o.at("error")))});
            } else if (state == "paused") {
                out.push_back(
                    {false, "Listener " + link("/_console/listeners", name) + " is paused."});
            }
        }
    }
    if (const auto* list = queues.is_object() ? queues.get_object().if_contains("queues") : nullptr;
        list && list->is_array()) {
        for (const auto& q : list->get_array()) {
            const auto& o = q.get_object();
            const auto dead = o.at("dead_letters").to_number<std::int64_t>();
            if (dead == 0) continue;
            const auto name = text_of(o.at("queue"));
            out.push_back({true, std::to_string(dead) + " dead letter" + (dead == 1 ? "" : "s") +
                                     " waiting in queue " +
                                     link("/_console/queues?queue=" + url_encode(name), name) +
                                     "."});
        }
    }
    return out;
}

std::string workers_table(const boost::json::value& workers) {
    const auto* list = workers.is_object() ? workers.get_object().if_contains("workers") : nullptr;
    if (!list || !list->is_array() || list->get_array().empty()) {
        return "<p class=\"empty\">No worker process is connected; this node's executors run "
               "everything.</p>";
    }
    std::string out =
        "<table class=\"data\"><thead><tr><th>Worker</th><th class=\"num\">Leased</th>"
        "<th class=\"num\">In flight</th><th class=\"num\">Waiting</th>"
        "<th class=\"num\">Succeeded</th><th class=\"num\">Failed</th>"
        "<th class=\"num\">Heard</th></tr></thead><tbody>";
    for (const auto& w : list->get_array()) {
        const auto& o = w.get_object();
        out += "<tr>" + tag("td", text_of(o.at("id")), "class=\"id\"");
        for (const char* field : {"leased", "in_flight", "waiting", "succeeded", "failed"}) {
            out += tag("td", text_of(o.at(field)), "class=\"num\"");
        }
        out += tag("td", text_of(o.at("heard_ms_ago")) + " ms ago", "class=\"num\"") + "</tr>";
    }
    return out + "</tbody></table>";
}

}  // namespace

page overview_page(routed_request r) {
    const auto status = co_await read_admin(r, "/_admin/status");
    const auto listeners = co_await read_admin(r, "/_admin/listeners");
    const auto queues = co_await read_admin(r, "/_admin/queues");
    const auto workers = co_await read_admin(r, "/_admin/workers");
    const auto stats = r.svc.gateway->stats();
    const auto live = r.svc.live.update(r.svc.requests, std::chrono::steady_clock::now());

    const auto state = status.body.is_object() ? text_of(status.body.get_object().at("status"))
                                               : std::string("unknown");
    std::string body = "<div class=\"cards\" data-live>";
    body += card("Node", badge(state == "listening" ? "listening" : state),
                 "ferry " + escape(ferry_version()) +
                     (stats.cluster ? " · cluster member" : " · embedded store"));
    body +=
        card("Disk free", stats.disk_total_bytes ? escape(bytes_text(stats.disk_free_bytes)) : "–",
             (stats.disk_total_bytes ? "of " + escape(bytes_text(stats.disk_total_bytes)) + " · "
                                     : std::string()) +
                 (stats.intake.refusing_writes ? badge("writes refused")
                                               : std::string("writes accepted")));
    body += card("Queue depth", live_figure("queued", std::to_string(stats.backlog)),
                 "executions stored, waiting for an executor");
    body += card("Running", live_figure("running", std::to_string(stats.executor.running)),
                 live_figure("in_flight", std::to_string(stats.executor.in_flight)) +
                     " in flight (computing or waiting)");
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", live.requests_per_second);
    body += card("Requests / s", live_figure("requests_per_second", rate, 1),
                 "<svg class=\"spark\" data-spark=\"requests\" viewBox=\"0 0 120 28\" "
                 "aria-label=\"requests per second, last minute\"></svg>");
    std::string p99 = "–";
    if (live.p99_ms) {
        std::snprintf(rate, sizeof rate, "%.1f", *live.p99_ms);
        p99 = rate;
    }
    body +=
        card("p99 latency (ms)", live_figure("p99_ms", p99, 1), "last 10 seconds, web services");
    body += card("Executions", std::to_string(stats.executor.succeeded) + " ok",
                 std::to_string(stats.executor.failed) + " failed since start · " +
                     link("/_console/executions?state=failed", "see failed"));
    body += "</div>";

    body += "<section class=\"panel\"><h2>Alerts</h2>";
    const auto alerts = find_alerts(stats, listeners.body, queues.body);
    if (alerts.empty()) {
        body += "<p class=\"empty\">Nothing needs attention.</p>";
    } else {
        body += "<ul class=\"alerts\">";
        for (const auto& a : alerts) {
            body += std::string("<li class=\"") + (a.bad ? "alert-bad" : "alert-warn") + "\">" +
                    a.html + "</li>";
        }
        body += "</ul>";
    }
    body += "</section><section class=\"panel\"><h2>Workers and their leases</h2>";
    body += workers_table(workers.body);
    if (stats.cluster) {
        body += "<p class=\"hint\">This node is part of a cluster: " +
                link("/_console/runtimes", "Runtimes") + " lists every node and worker.</p>";
    }
    body += "</section>";
    co_return page_response(r, section::overview, "Overview", body);
}

}  // namespace ferry::ingress::console
