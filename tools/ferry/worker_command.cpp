// `ferry worker`: executor threads in their own process, fed by a serving process
// (--connect) or by the cluster's JetStream (--cluster).
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "cluster_options.hpp"
#include "commands.hpp"
#include "ferry/engine/cluster/cluster_definitions.hpp"
#include "ferry/engine/cluster/cluster_worker.hpp"
#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/workers/remote_worker.hpp"
#include "ferry/profiles/xml_runtime.hpp"
#include "ferry/transport/context.hpp"
#include "signals.hpp"

namespace ferry::tools {
namespace {

struct worker_options {
    std::string connect;
    std::size_t threads = 2;
    std::size_t max_in_flight = 4096;
    std::size_t prefetch = 1024;
    std::string data = "worker-data";
    cluster_options cluster;
    std::string processes;  // with --cluster: the nodes' --processes (deployments laid over)
    std::int64_t lease_timeout_ms = 30000;
};

/// The directory for file_write output, created; empty (and said why) when it cannot be.
std::string files_root(const worker_options& o) {
    std::error_code ec;
    const auto files = std::filesystem::path(o.data) / "files";
    std::filesystem::create_directories(files, ec);
    if (ec) {
        std::fprintf(stderr, "ferry: cannot create %s: %s\n", files.c_str(), ec.message().c_str());
        return {};
    }
    return files.string();
}

void report_stopped(const engine::worker_report& report) {
    const auto& done = report.executors;
    const std::uint64_t finished = done.succeeded + done.failed;
    std::fprintf(stderr, "ferry worker: stopped after %llu executions (%llu failed)\n",
                 static_cast<unsigned long long>(finished),
                 static_cast<unsigned long long>(done.failed));
}

int run_cluster_worker(const worker_options& o) {
    const auto signals = block_stop_signals();  // before any thread starts
    profiles::xml_runtime xml;
    const auto files = files_root(o);
    if (files.empty()) return 1;
    std::shared_ptr<const engine::registry> directory = std::make_shared<engine::registry>();
    try {
        if (!o.processes.empty()) directory = engine::load_process_directory(o.processes);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ferry: %s\n", e.what());
        return 1;
    }
    // The directory with what operators deployed on any node laid over it, followed live.
    auto definitions = engine::cluster::cluster_definitions::open(
        o.cluster.connection("ferry worker definitions"), o.cluster.jetstream(), directory);
    if (!definitions) {
        std::fprintf(stderr, "ferry: cannot read the cluster's deployments at %s: %s\n",
                     o.cluster.urls.c_str(), definitions.error().message().c_str());
        return 1;
    }
    for (const auto& warning : (*definitions)->warnings()) {
        std::fprintf(stderr, "ferry worker: %s\n", warning.c_str());
    }
    (*definitions)->start();
    engine::cluster::cluster_worker_settings settings;
    settings.nats = o.cluster.connection("ferry worker");
    settings.jetstream = o.cluster.jetstream();
    settings.jetstream.ack_wait = std::chrono::milliseconds(o.lease_timeout_ms);
    settings.threads = o.threads;
    settings.max_in_flight = o.max_in_flight;
    settings.limits.files_root = files;
    settings.member_name = engine::cluster::host_name() + ":" + std::to_string(getpid());
    auto worker = engine::cluster::cluster_worker::open(
        settings, [defs = definitions->get()] { return defs->current(); });
    if (!worker) {
        std::fprintf(stderr, "ferry: cannot join the cluster at %s: %s\n", o.cluster.urls.c_str(),
                     worker.error().message().c_str());
        return 1;
    }
    (*worker)->start();
    std::printf("ferry worker joined the cluster at %s with %zu threads\n", o.cluster.urls.c_str(),
                o.threads);
    std::fflush(stdout);
    const int signal = wait_for_stop_signal(signals);
    std::fprintf(stderr, "ferry worker: %s received; finishing running executions\n",
                 signal == SIGTERM ? "SIGTERM" : "SIGINT");
    (*worker)->stop();
    report_stopped((*worker)->stats());
    return 0;
}

int run_worker(const worker_options& o) {
    if (o.cluster.enabled()) return run_cluster_worker(o);
    const auto signals = block_stop_signals();  // before any thread starts
    profiles::xml_runtime xml;
    const auto files = files_root(o);
    if (files.empty()) return 1;
    transport::context zmq;
    engine::remote_worker_settings settings;
    settings.endpoint = o.connect;
    settings.threads = o.threads;
    settings.max_in_flight = o.max_in_flight;
    settings.prefetch = o.prefetch;
    settings.files_root = files;
    engine::remote_worker worker(zmq, settings);
    try {
        worker.start();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ferry: cannot connect to %s: %s\n", o.connect.c_str(), e.what());
        return 1;
    }
    std::printf("ferry worker %s connected to %s with %zu threads\n", worker.id().c_str(),
                o.connect.c_str(), o.threads);
    std::fflush(stdout);
    const int signal = wait_for_stop_signal(signals);
    std::fprintf(stderr, "ferry worker: %s received; finishing running executions\n",
                 signal == SIGTERM ? "SIGTERM" : "SIGINT");
    worker.stop();
    report_stopped(worker.stats());
    return 0;
}

}  // namespace

void add_worker_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "worker",
        "Run executor threads for a serving process (ferry serve --worker-endpoint) or for a "
        "cluster (--cluster)");
    auto o = std::make_shared<worker_options>();
    auto* connect = cmd->add_option(
        "--connect", o->connect, "The serving process's worker endpoint, e.g. tcp://10.0.0.5:9091");
    auto* cluster = add_cluster_options(*cmd, o->cluster);
    connect->excludes(cluster);
    cmd->add_option("--processes", o->processes,
                    "With --cluster: the directory of process definitions it runs (the nodes' "
                    "--processes); what operators deploy on any node is laid over it")
        ->check(CLI::ExistingDirectory)
        ->needs(cluster);
    cmd->add_option("--lease-timeout-ms", o->lease_timeout_ms,
                    "With --cluster: how long the cluster waits for a worker that stopped "
                    "answering before its executions run elsewhere")
        ->check(CLI::Range(1000, 3600000))
        ->needs(cluster)
        ->capture_default_str();
    cmd->add_option("--threads", o->threads,
                    "Executor threads (they compute; executions waiting on a partner hold none)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--max-executions-in-flight", o->max_in_flight,
                    "Executions held at once, running or waiting (the serving process's queue "
                    "holds the rest)")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    cmd->add_option("--prefetch", o->prefetch,
                    "Executions received ahead of the threads (leases kept in flight)")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd->add_option("--data", o->data, "Directory for file_write output (DIR/files)")
        ->capture_default_str();
    cmd->callback([o, connect, cluster] {
        if (connect->count() == 0 && cluster->count() == 0) {
            throw CLI::RequiredError("--connect or --cluster");
        }
        const int status = run_worker(*o);
        if (status != 0) throw CLI::RuntimeError(status);
    });
}

}  // namespace ferry::tools
