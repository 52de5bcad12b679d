#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>

#include "ferry/engine/cluster/jetstream_settings.hpp"
#include "ferry/engine/ops/control_entries.hpp"
#include "ferry/nats/connection.hpp"
#include "ferry/nats/key_value.hpp"

namespace ferry::engine::cluster {

/// The operator state a cluster shares (docs/cluster.md): deployed definitions, active
/// versions and paused listeners, in the JetStream key-value bucket `control_bucket`, with a
/// copy in `local` (a node's store, a worker's memory) that reads are served from.
///
/// A change goes to the bucket first (one the cluster did not take changes nothing here:
/// cluster_unavailable), then to the copy. Every process follows the bucket and writes what
/// others changed into its copy, then calls its `changed` callback (deployments::reload), so
/// a deploy on one node is served by every node as soon as the bucket's change reaches it.
/// Two nodes changing one key at once: the bucket's order decides, everywhere alike.
///
/// Concurrency: put() and list() from any thread; follow() on one thread.
class cluster_control final : public control_entries {
public:
    /// Binds the bucket (creating it), then brings the copy up to date: the bucket's entries
    /// win; an entry only the copy has (a node that served alone before, or a bucket lost
    /// with its servers) is written to the bucket.
    static boost::system::result<std::unique_ptr<cluster_control>> open(
        nats::connection& nats, const jetstream_settings& settings, control_entries& local);

    refused_or<void> put(std::span<const change> changes) override;
    refused_or<std::vector<entry>> list(std::string_view prefix) const override {
        return local_.list(prefix);
    }

    /// Until `stop`: writes what others change into the copy and then calls `changed`.
    void follow(const std::stop_token& stop, const std::function<void()>& changed);

private:
    cluster_control(std::unique_ptr<nats::kv_bucket> bucket, control_entries& local)
        : bucket_(std::move(bucket)), local_(local) {}
    boost::system::result<void> catch_up();
    /// The changes that make the copy hold `entry`; whether there were any.
    bool take(const nats::kv_entry& entry);

    std::unique_ptr<nats::kv_bucket> bucket_;
    std::unique_ptr<nats::kv_watcher> watcher_;
    control_entries& local_;
    /// Held by put() over the bucket and the copy, and by take(): this process's own change,
    /// coming back from the bucket, finds the copy already holding it (not a change by another).
    std::mutex writing_;
};

/// Whether a control key is the cluster's to share (definitions, active versions, paused
/// listeners), not one process's own (its replay jobs).
bool shared_control_key(std::string_view key);
/// A control key as a bucket key (letters, digits, '-', '_' and '/' stay; anything else is
/// '=' and two hex digits), and back.
std::string bucket_key(std::string_view control_key);
std::optional<std::string> control_key(std::string_view bucket_key);

}  // namespace ferry::engine::cluster
