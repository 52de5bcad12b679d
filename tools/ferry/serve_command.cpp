#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cluster_options.hpp"
#include "commands.hpp"
#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/runtime.hpp"
#include "ferry/ingress/listener_spec.hpp"
#include "ferry/ingress/server.hpp"
#include "ferry/profiles/xml_runtime.hpp"
#include "ferry/store/log.hpp"
#include "ferry/transport/context.hpp"
#include "signals.hpp"

namespace ferry::tools {
namespace {

// "1s,2s,3s" for delays in milliseconds (whole seconds as s, the rest as ms).
std::string delays_text(const std::vector<std::uint32_t>& delays) {
    std::string out;
    for (const auto ms : delays) {
        if (!out.empty()) out += ',';
        out += ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
    }
    return out.empty() ? "0" : out;
}

struct serve_options {
    std::string processes = "examples";
    std::string data = "data";
    ingress::server_settings http;
    std::size_t executors = 2;
    std::size_t max_in_flight = engine::runtime_settings{}.max_executions_in_flight;
    engine::execution_limits limits;  // the engine's defaults; the options below change them
    std::int64_t page_ttl_s = limits.page_ttl_ms / 1000;
    std::int64_t reply_ttl_s = limits.reply_ttl_ms / 1000;
    std::string retention = "30d";
    std::string redelivery = delays_text(limits.redelivery_ms);
    std::string log_format = "text";
    std::string log_level = "info";
    std::int64_t idempotency_ttl_s = 86400;
    std::string worker_endpoint;
    std::string auth = "none";
    std::string admin_auth;  // default: as auth
    std::string address = "127.0.0.1";
    std::uint16_t port = 9090;
    std::vector<std::string> listen;
    std::size_t max_connections = 10'000;
    double rate_limit = 0;
    double rate_burst = 0;
    std::string cors_file;
    std::int64_t worker_lease_ms = 5000;
    long header_timeout_ms = 10'000;
    long body_timeout_ms = 30'000;
    long idle_timeout_ms = 60'000;
    long drain_timeout_ms = 10'000;
    long drain_grace_ms = 0;
    cluster_options cluster;
    std::string node;  // default: the host's name
    std::int64_t outbox_keep_s = 600;
};

std::string host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "ferry";
    return name;
}

// A server holds a descriptor per connection; the default soft limit (1024) is too low.
void raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

ingress::authentication authentication_named(const std::string& name) {
    if (name == "basic") return ingress::authentication::basic;
    if (name == "client_cert") return ingress::authentication::client_cert;
    return ingress::authentication::none;
}

// The listeners, CORS rules and authentication from the options; an error sentence.
std::optional<std::string> web_settings(serve_options& o) {
    ingress::listener_settings defaults;
    defaults.address = o.address;
    defaults.port = o.port;
    defaults.max_connections = o.max_connections;
    defaults.rate_limit = o.rate_limit;
    defaults.rate_burst = o.rate_burst;
    o.http.listeners.clear();
    if (o.listen.empty()) o.http.listeners.push_back(defaults);
    for (const auto& text : o.listen) {
        auto parsed = ingress::parse_listener(text, defaults);
        if (auto* error = std::get_if<std::string>(&parsed)) return *error;
        o.http.listeners.push_back(std::get<ingress::listener_settings>(std::move(parsed)));
    }
    o.http.auth = authentication_named(o.auth);
    o.http.admin_auth = authentication_named(o.admin_auth.empty() ? o.auth : o.admin_auth);
    const bool wants_certificates = o.http.auth == ingress::authentication::client_cert ||
                                    o.http.admin_auth == ingress::authentication::client_cert;
    const bool asks_certificates =
        std::any_of(o.http.listeners.begin(), o.http.listeners.end(),
                    [](const auto& l) { return l.tls && !l.tls->client_ca_file.empty(); });
    if (wants_certificates && !asks_certificates) {
        return std::string(
            "client_cert authentication needs an https listener with "
            "client_ca=FILE (--listen https://...?cert=...&key=...&client_ca=...)");
    }
    if (!o.cors_file.empty()) {
        auto rules = ingress::load_cors_rules(o.cors_file);
        if (auto* error = std::get_if<std::string>(&rules)) return *error;
        o.http.cors = std::get<std::vector<ingress::cors_rule>>(std::move(rules));
    }
    return std::nullopt;
}

std::string listener_url(const ingress::listener_settings& l, std::uint16_t port) {
    const bool v6 = l.address.find(':') != std::string::npos;
    return std::string(l.tls ? "https" : "http") + "://" + (v6 ? "[" : "") + l.address +
           (v6 ? "]" : "") + ":" + std::to_string(port);
}

// "30d", "12h", "15m", "45s" or "0" in milliseconds.
std::optional<std::int64_t> duration_ms(const std::string& text) {
    if (text == "0") return 0;
    if (text.size() < 2) return std::nullopt;
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
    if (ec != std::errc() || end != text.data() + text.size() - 1 || n <= 0) return std::nullopt;
    switch (text.back()) {
        case 'd':
            return n * 86'400'000;
        case 'h':
            return n * 3'600'000;
        case 'm':
            return n * 60'000;
        case 's':
            return n * 1000;
        default:
            return std::nullopt;
    }
}

// "1s,2s,3s,5s,8s,24s" (items as duration_ms, or "250ms") in milliseconds; "0" for none.
std::optional<std::vector<std::uint32_t>> delays_ms(const std::string& text) {
    std::vector<std::uint32_t> out;
    if (text == "0") return out;
    std::size_t from = 0;
    while (from <= text.size()) {
        const auto comma = std::min(text.find(',', from), text.size());
        const auto item = text.substr(from, comma - from);
        std::optional<std::int64_t> ms;
        if (item.size() > 2 && item.ends_with("ms")) {
            std::int64_t n = 0;
            const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size() - 2, n);
            if (ec == std::errc() && end == item.data() + item.size() - 2 && n > 0) ms = n;
        } else if (item != "0") {
            ms = duration_ms(item);
        }
        if (!ms || *ms > 86'400'000) return std::nullopt;
        out.push_back(static_cast<std::uint32_t>(*ms));
        if (out.size() > 20) return std::nullopt;
        from = comma + 1;
    }
    return out;
}

int serve(serve_options o) {
    const auto signals = block_stop_signals();  // before any thread starts
    raise_descriptor_limit();
    if (auto error = web_settings(o)) {
        std::fprintf(stderr, "ferry: %s\n", error->c_str());
        return 2;
    }

    log::level level = log::level::info;
    log::parse_level(o.log_level, level);  // checked by the option
    log::configure(o.log_format == "json" ? log::format::json : log::format::text, level);
    profiles::xml_runtime xml;
    std::shared_ptr<const engine::registry> processes;
    try {
        processes = engine::load_process_directory(o.processes);
    } catch (const engine::definition_error& e) {
        std::fprintf(stderr, "ferry: %s\n", e.what());
        return 2;
    }
    transport::context zmq;
    engine::runtime_settings engine_settings;
    engine_settings.data_dir = o.data;
    engine_settings.processes = processes;
    engine_settings.executor_threads = o.executors;
    engine_settings.max_executions_in_flight = o.max_in_flight;
    engine_settings.limits = o.limits;
    engine_settings.limits.page_ttl_ms = o.page_ttl_s * 1000;
    engine_settings.limits.reply_ttl_ms = o.reply_ttl_s * 1000;
    engine_settings.retention_ms = *duration_ms(o.retention);         // checked by the option
    engine_settings.limits.redelivery_ms = *delays_ms(o.redelivery);  // checked by the option
    engine_settings.idempotency_ttl_ms = o.idempotency_ttl_s * 1000;
    engine_settings.worker_endpoint = o.worker_endpoint;
    o.http.runtimes_file = (std::filesystem::path(o.data) / "runtimes.json").string();
    if (o.http.users_file.empty()) {
        o.http.users_file = (std::filesystem::path(o.data) / "users.json").string();
    }
    engine_settings.worker_lease_ms = o.worker_lease_ms;
    if (o.cluster.enabled()) {
        engine::cluster::cluster_node_settings cluster;
        cluster.node = o.node.empty() ? host_name() : o.node;
        cluster.nats = o.cluster.connection("ferry node " + cluster.node);
        cluster.jetstream = o.cluster.jetstream();
        cluster.outbox_keep = std::chrono::seconds(o.outbox_keep_s);
        engine_settings.cluster = std::move(cluster);
    }
    auto runtime = engine::runtime::open(zmq, std::move(engine_settings));
    if (!runtime && o.cluster.enabled()) {
        std::fprintf(stderr, "ferry: cannot join the cluster at %s (or open %s): %s\n",
                     o.cluster.urls.c_str(), o.data.c_str(), runtime.error().message().c_str());
        return 1;
    }
    if (!runtime) {
        std::fprintf(stderr, "ferry: cannot open the data directory %s: %s\n", o.data.c_str(),
                     runtime.error().message().c_str());
        return 1;
    }
    o.http.header_timeout = std::chrono::milliseconds(o.header_timeout_ms);
    o.http.body_timeout = std::chrono::milliseconds(o.body_timeout_ms);
    o.http.idle_timeout = std::chrono::milliseconds(o.idle_timeout_ms);
    ingress::server http(**runtime, zmq, o.http);
    if (auto started = http.start(); !started) {
        std::string where;
        for (const auto& l : o.http.listeners) where += " " + listener_url(l, l.port);
        std::fprintf(stderr, "ferry: cannot listen on%s: %s\n", where.c_str(),
                     started.error().message().c_str());
        return 1;
    }
    try {
        (*runtime)->start();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ferry: cannot start the engine (worker endpoint %s?): %s\n",
                     o.worker_endpoint.c_str(), e.what());
        return 1;
    }
    http.set_ready();
    if (!o.worker_endpoint.empty()) {
        log::info("serve", "remote workers connect here", {{"endpoint", o.worker_endpoint}});
    }
    for (const auto& warning : (*runtime)->startup_warnings()) {
        log::warn("serve", warning);
    }
    // Held for the loop: a deploy arriving meanwhile replaces (and frees) the live registry.
    const auto served = (*runtime)->processes().get();
    for (const auto& [name, p] : served->active()) {
        if (p->listen.queue.empty()) {
            log::info(
                "serve", "serving",
                {{"path", "/ws/simple/" + p->listen.operation_name()}, {"file", p->source_file}});
        } else {
            log::info("serve", "listening", {{"queue", p->listen.queue}, {"file", p->source_file}});
        }
    }
    for (const auto& [base_path, api] : served->apis()) {
        log::info("serve", "serving",
                  {{"path", "/ws/rest/" + base_path},
                   {"api", api->name + " version " + std::to_string(api->version)},
                   {"file", api->source_file}});
    }
    // The first line names the default listener as ADDRESS:PORT (scripts and tests read it).
    const auto& first = o.http.listeners.front();
    std::printf("ferry listening on %s:%u\n", first.address.c_str(), http.port());
    for (std::size_t i = 0; i < o.http.listeners.size(); ++i) {
        const auto& l = o.http.listeners[i];
        const char* role = l.role == ingress::listener_role::admin      ? " (admin API only)"
                           : l.role == ingress::listener_role::services ? " (web services only)"
                                                                        : "";
        std::printf("ferry listener %s%s\n", listener_url(l, http.port(i)).c_str(), role);
    }
    std::fflush(stdout);

    const int signal = wait_for_stop_signal(signals);
    log::info("serve", "draining", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    http.drain();
    // Lame duck: keep answering 503 for the grace period so that load balancers see the status
    // change, then wait for requests in flight.
    const auto start = std::chrono::steady_clock::now();
    const auto grace_end = start + std::chrono::milliseconds(o.drain_grace_ms);
    const auto deadline = start + std::chrono::milliseconds(o.drain_grace_ms + o.drain_timeout_ms);
    while ((std::chrono::steady_clock::now() < grace_end || http.in_flight() > 0) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    http.stop();
    (*runtime)->stop();
    log::info("serve", "stopped");
    return 0;
}

}  // namespace

void add_serve_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("serve", "Serve the processes of a directory over HTTP");
    auto o = std::make_shared<serve_options>();
    cmd->add_option("--processes", o->processes, "Directory of process definitions (*.yaml)")
        ->capture_default_str();
    cmd->add_option("--data", o->data, "Data directory (RocksDB, file_write output)")
        ->capture_default_str();
    cmd->add_option("--address", o->address, "Address to bind (without --listen)")
        ->capture_default_str();
    cmd->add_option("--port", o->port, "Port to listen on (without --listen; 0: any free port)")
        ->capture_default_str();
    cmd->add_option("--listen", o->listen,
                    "A listener, instead of --address/--port (repeatable): http://ADDR:PORT or "
                    "https://ADDR:PORT?cert=FILE&key=FILE[&client_ca=FILE], optionally "
                    "&role=all|services|admin, &max_connections=N, &rate_limit=R, "
                    "&rate_burst=B (docs/security.md)");
    cmd->add_option("--io-threads", o->http.io_threads, "HTTP I/O threads")->capture_default_str();
    auto* cluster = add_cluster_options(*cmd, o->cluster);
    cmd->add_option("--node", o->node,
                    "With --cluster: this node's name in the cluster (default: the host's name)")
        ->needs(cluster);
    cmd->add_option("--outbox-keep-s", o->outbox_keep_s,
                    "With --cluster: how long a post stays in this node's outbox after the "
                    "cluster acknowledged it (longer than the NATS servers' flush interval)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}))
        ->needs(cluster)
        ->capture_default_str();
    cmd->add_option("--executors", o->executors,
                    "Executor threads (they compute; executions waiting on partners hold none)")
        ->capture_default_str();
    cmd->add_option("--max-executions-in-flight", o->max_in_flight,
                    "Executions the executors hold at once, computing or waiting (the durable "
                    "queue holds the rest)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
        ->capture_default_str();
    cmd->add_option("--max-trace-entries", o->limits.kept.max_trace_entries,
                    "Step runs traced per execution (later ones are only counted)")
        ->capture_default_str();
    cmd->add_option("--max-kept-documents", o->limits.kept.max_kept_documents,
                    "Step output documents stored per execution (general mode, X-Debug)")
        ->capture_default_str();
    cmd->add_option("--max-kept-bytes", o->limits.kept.max_kept_bytes,
                    "Bytes of step output documents stored per execution")
        ->capture_default_str();
    cmd->add_option("--page-ttl-seconds", o->page_ttl_s,
                    "How long the later pages of a long list reply can be fetched")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--reply-ttl-seconds", o->reply_ttl_s,
                    "How long a synchronous reply stays fetchable at its status link")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--log-format", o->log_format,
                    "text (ferry COMPONENT: message key=value) or json (one object per line: "
                    "ts, level, component, msg, execution_id, correlation_id, ...) on stderr")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd->add_option("--log-level", o->log_level,
                    "debug (also every succeeded execution), info, warn (failed executions) or "
                    "error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
        ->capture_default_str();
    cmd->add_option("--retention", o->retention,
                    "Executions and their documents are deleted once this old: a number and "
                    "d, h, m or s (30d, 12h); 0 keeps them forever. Unfinished ones are kept")
        ->check([](const std::string& text) -> std::string {
            return duration_ms(text) ? "" : "must be a number and d, h, m or s (30d), or 0";
        })
        ->capture_default_str();
    cmd->add_option("--redelivery", o->redelivery,
                    "When a queue delivery fails it is delivered again after each of these "
                    "delays in turn (s, m, h or ms each), then becomes a dead letter; 0 "
                    "dead-letters at the first failure")
        ->check([](const std::string& text) -> std::string {
            return delays_ms(text) ? ""
                                   : "must be a comma-separated list of delays of up to a day "
                                     "(1s,2s,3s or 250ms), at most 20, or 0";
        })
        ->capture_default_str();
    cmd->add_option("--idempotency-ttl-seconds", o->idempotency_ttl_s,
                    "How long an Idempotency-Key is remembered (a repeat gets the first "
                    "answer); keep it at most --reply-ttl-seconds")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--auth", o->auth,
                    "Authentication of /ws/ calls: none (a user name only identifies), basic "
                    "(user and token from `ferry user`) or client_cert (a client certificate "
                    "on an https listener with client_ca; its subject names the user)")
        ->check(CLI::IsMember({"none", "basic", "client_cert"}))
        ->capture_default_str();
    cmd->add_option("--admin-auth", o->admin_auth,
                    "Authentication of the admin API and /metrics, which then need an admin "
                    "user: none, basic or client_cert (default: as --auth)")
        ->check(CLI::IsMember({"none", "basic", "client_cert"}));
    cmd->add_option("--users-file", o->http.users_file,
                    "The users file (default DATA/users.json; re-read when it changes)");
    cmd->add_option("--cors-file", o->cors_file,
                    "YAML file of CORS rules per origin (docs/security.md); without it "
                    "preflights are refused");
    cmd->add_option("--external-url", o->http.links.external_base_url,
                    "Base URL of generated links (status and next-page links), e.g. "
                    "https://api.example.com");
    cmd->add_flag("--trust-forwarded", o->http.links.trust_forwarded,
                  "Behind a proxy: build links from X-Forwarded-Proto/-Host/-Port/-Prefix and "
                  "X-Request-Uri, and take the caller's address (IP allow-lists) from "
                  "X-Forwarded-For");
    cmd->add_option("--max-concurrent-executions", o->http.calls.max_concurrent_executions,
                    "Synchronous executions of one operation at once, unless its process sets "
                    "max_concurrent_executions (503 too_many_executions past it; 0: unlimited)")
        ->capture_default_str();
    cmd->add_option("--worker-endpoint", o->worker_endpoint,
                    "Bind this ZeroMQ endpoint (tcp://HOST:PORT) for `ferry worker --connect`; "
                    "executions are then also run by remote workers");
    cmd->add_option("--worker-lease-ms", o->worker_lease_ms,
                    "A remote worker silent this long loses its executions, which are "
                    "dispatched again (at least 1000; workers send a heartbeat every 250 ms)")
        ->check(CLI::Range(std::int64_t{1000}, std::int64_t{86'400'000}))
        ->capture_default_str();
    cmd->add_option(
           "--bulk-body-limit", o->http.bulk_body_limit,
           "Largest streamed ndjson body in bytes (413); each line is at most --body-limit")
        ->capture_default_str();
    cmd->add_option("--body-limit", o->http.body_limit, "Largest request body in bytes (413)")
        ->capture_default_str();
    cmd->add_option("--max-connections", o->max_connections,
                    "Open connections per listener at most; one more is answered 503 and closed")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--rate-limit", o->rate_limit,
                    "/ws/ requests per second per listener, 0 for unlimited (503 "
                    "rate_limited with Retry-After past it)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--rate-burst", o->rate_burst,
                    "Requests allowed at once above the rate (default: one second's worth)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--header-limit", o->http.header_limit, "Largest request header in bytes (431)")
        ->capture_default_str();
    cmd->add_option("--header-timeout-ms", o->header_timeout_ms, "Time allowed for a header (408)")
        ->capture_default_str();
    cmd->add_option("--body-timeout-ms", o->body_timeout_ms, "Time allowed for a body (408)")
        ->capture_default_str();
    cmd->add_option("--idle-timeout-ms", o->idle_timeout_ms, "Keep-alive idle time")
        ->capture_default_str();
    cmd->add_option("--drain-timeout-ms", o->drain_timeout_ms,
                    "On SIGTERM, how long in-flight requests may take to finish")
        ->capture_default_str();
    cmd->add_option("--drain-grace-ms", o->drain_grace_ms,
                    "On SIGTERM, how long to keep answering 503 before stopping (for load "
                    "balancers)")
        ->capture_default_str();
    cmd->callback([o] {
        const int status = serve(*o);
        if (status != 0) throw CLI::RuntimeError(status);
    });
}

}  // namespace ferry::tools
