#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "ferry/engine/cluster/jetstream_settings.hpp"
#include "ferry/nats/connection.hpp"

namespace ferry::tools {

/// How a command reaches the cluster's NATS servers (--cluster and the --nats-* options).
struct cluster_options {
    std::string urls;  // nats://h1:4222,nats://h2:4222,...
    int replicas = 0;  // 0: 3 when three or more servers are named, else 1
    std::string credentials_file;
    std::string user;
    std::string password;
    std::string ca_file;
    std::string cert_file;
    std::string key_file;

    bool enabled() const { return !urls.empty(); }
    /// Named `name` for the servers' connection reports.
    nats::connection_settings connection(const std::string& name) const;
    engine::cluster::jetstream_settings jetstream() const;
};

/// Adds --cluster and the --nats-* options; returns the --cluster option.
CLI::Option* add_cluster_options(CLI::App& cmd, cluster_options& o);

}  // namespace ferry::tools
