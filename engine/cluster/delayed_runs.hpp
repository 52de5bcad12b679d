#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "ferry/engine/cluster/jetstream_settings.hpp"
#include "ferry/nats/connection.hpp"
#include "ferry/nats/pull_consumer.hpp"

namespace ferry::engine::cluster {

/// Redeliveries of failed queue messages wait in the cluster's delayed stream until they are
/// due, not in the work stream: there, every early look would count a delivery (an attempt)
/// of the execution. The ingress nodes share the stream's consumer: a node takes what is due,
/// queues it in the work stream (message id: the execution's, so that a node dying between
/// the two queues it once) and then acknowledges it; what is not due yet goes back until then
/// (nak with the delay).
///
/// Concurrency: move_due() from one thread at a time; waiting() from any.
class delayed_runs {
public:
    static boost::system::result<std::unique_ptr<delayed_runs>> open(
        nats::connection& nats, const jetstream_settings& settings);

    /// Queues what is due; waits up to `wait` for the first redelivery. How many were queued.
    boost::system::result<std::size_t> move_due(std::chrono::milliseconds wait);
    /// Redeliveries waiting in the cluster now.
    boost::system::result<std::uint64_t> waiting() const;

private:
    delayed_runs(nats::connection& nats, jetstream_settings settings,
                 std::unique_ptr<nats::pull_consumer> consumer)
        : nats_(nats), settings_(std::move(settings)), consumer_(std::move(consumer)) {}

    nats::connection& nats_;
    const jetstream_settings settings_;
    std::unique_ptr<nats::pull_consumer> consumer_;
};

}  // namespace ferry::engine::cluster
