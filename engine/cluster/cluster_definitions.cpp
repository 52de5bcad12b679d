#include "ferry/engine/cluster/cluster_definitions.hpp"

#include "cluster/cluster_control.hpp"
#include "ferry/engine/ops/control_entries.hpp"
#include "ferry/engine/ops/deployments.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {

cluster_definitions::cluster_definitions()
    : copy_(std::make_unique<memory_control_entries>()),
      live_(std::make_shared<const registry>()) {}

cluster_definitions::~cluster_definitions() { stop(); }

boost::system::result<std::unique_ptr<cluster_definitions>> cluster_definitions::open(
    const nats::connection_settings& nats, const jetstream_settings& settings,
    std::shared_ptr<const registry> directory) {
    std::unique_ptr<cluster_definitions> out(new cluster_definitions());
    auto connection = nats::connection::open(nats);
    if (!connection) return connection.error();
    out->nats_ = std::move(*connection);
    auto control = cluster_control::open(*out->nats_, settings, *out->copy_);
    if (!control) return control.error();
    out->control_ = std::move(*control);
    out->deployments_ = std::make_unique<deployments>(*out->control_, out->live_);
    out->warnings_ = out->deployments_->restore(std::move(directory));
    return out;
}

void cluster_definitions::start() {
    follower_.start("ferry-control", [this](const std::stop_token& stop) {
        control_->follow(stop, [this] {
            for (const auto& warning : deployments_->reload()) log::warn("deploy", warning);
        });
    });
}

void cluster_definitions::stop() { follower_.stop(); }

}  // namespace ferry::engine::cluster
