#include "cluster_options.hpp"

#include <sstream>

namespace ferry::tools {

nats::connection_settings cluster_options::connection(const std::string& name) const {
    nats::connection_settings s;
    std::stringstream list(urls);
    for (std::string url; std::getline(list, url, ',');) {
        if (!url.empty()) s.urls.push_back(url);
    }
    s.name = name;
    s.credentials_file = credentials_file;
    s.user = user;
    s.password = password;
    s.ca_file = ca_file;
    s.cert_file = cert_file;
    s.key_file = key_file;
    return s;
}

engine::cluster::jetstream_settings cluster_options::jetstream() const {
    engine::cluster::jetstream_settings s;
    const auto servers = connection("").urls.size();
    s.replicas = replicas > 0 ? replicas : (servers >= 3 ? 3 : 1);
    return s;
}

CLI::Option* add_cluster_options(CLI::App& cmd, cluster_options& o) {
    auto* cluster = cmd.add_option(
        "--cluster", o.urls,
        "NATS servers of the cluster, comma-separated: nats://h1:4222,nats://h2:4222 "
        "(tls://... with TLS)");
    cmd.add_option("--replicas", o.replicas,
                   "Copies JetStream keeps of each stream it creates (default: 3 when three or "
                   "more servers are named, else 1)")
        ->check(CLI::Range(1, 5))
        ->needs(cluster);
    cmd.add_option("--nats-creds", o.credentials_file, "NATS credentials file (JWT and seed)")
        ->check(CLI::ExistingFile)
        ->needs(cluster);
    cmd.add_option("--nats-user", o.user, "NATS user")->needs(cluster);
    cmd.add_option("--nats-password", o.password, "NATS password")->needs(cluster);
    cmd.add_option("--nats-ca", o.ca_file, "CA certificates the NATS servers are verified against")
        ->check(CLI::ExistingFile)
        ->needs(cluster);
    cmd.add_option("--nats-cert", o.cert_file, "Client certificate for NATS (PEM)")
        ->check(CLI::ExistingFile)
        ->needs(cluster);
    cmd.add_option("--nats-key", o.key_file, "Key of the client certificate (PEM)")
        ->check(CLI::ExistingFile)
        ->needs(cluster);
    return cluster;
}

}  // namespace ferry::tools
