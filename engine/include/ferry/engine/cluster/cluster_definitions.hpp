#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ferry/engine/cluster/jetstream_settings.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/nats/connection.hpp"
#include "ferry/threads/service_thread.hpp"

namespace ferry::engine {
class deployments;
class memory_control_entries;
}  // namespace ferry::engine

namespace ferry::engine::cluster {

class cluster_control;

/// The process definitions a `ferry worker --cluster` runs: its --processes directory with
/// what operators deployed, activated and undeployed on any node laid over it, followed as
/// they change (the cluster's control bucket, cluster/cluster_control.hpp). Nothing is kept
/// on disk: a worker that starts reads the bucket again.
///
/// Threads: one follows the bucket (start() to stop()). current() from any thread.
class cluster_definitions {
public:
    static boost::system::result<std::unique_ptr<cluster_definitions>> open(
        const nats::connection_settings& nats, const jetstream_settings& settings,
        std::shared_ptr<const registry> directory);
    ~cluster_definitions();
    cluster_definitions(const cluster_definitions&) = delete;
    cluster_definitions& operator=(const cluster_definitions&) = delete;

    std::shared_ptr<const registry> current() const { return live_.get(); }
    /// What the deployments had to say when read (for the log).
    const std::vector<std::string>& warnings() const { return warnings_; }
    void start();
    void stop();

private:
    cluster_definitions();

    std::unique_ptr<nats::connection> nats_;
    std::unique_ptr<memory_control_entries> copy_;
    std::unique_ptr<cluster_control> control_;
    registry_holder live_;
    std::unique_ptr<deployments> deployments_;
    std::vector<std::string> warnings_;
    threads::service_thread follower_;
};

}  // namespace ferry::engine::cluster
