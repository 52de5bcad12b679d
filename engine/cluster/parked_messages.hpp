#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "ferry/engine/cluster/jetstream_settings.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/nats/connection.hpp"

namespace ferry::engine::cluster {

/// Queue messages of the whole cluster that wait for a listener (SPEC §3): a queue_send to a
/// queue no process listens on (or whose listeners are all paused), or a paused subscriber's
/// copy of a published message. They wait in the parked stream, one subject per queue
/// ("<prefix>.parked.<queue>"), written with the execution's id as message id, and are
/// released to the work stream as the embedded queue_waits releases them: one listener takes a
/// point-to-point message (taking turns), every listener a published one, a subscriber's
/// copy goes to that subscriber.
///
/// A release publishes the run (message id: the execution's, `Ferry-Again`: the claim looks
/// for an outcome first) and only then deletes the parked message, so a node that dies
/// between the two leaves it parked, and the next release is a duplicate the stream drops.
/// Two nodes releasing at once publish the same message ids: one run each.
///
/// Concurrency: release() from one thread at a time; counts() from any.
class parked_messages {
public:
    parked_messages(nats::connection& nats, jetstream_settings settings)
        : nats_(nats), settings_(std::move(settings)) {}

    /// Messages parked now, by queue (queues with none left out).
    boost::system::result<std::map<std::string, std::uint64_t>> counts() const;
    /// Releases every parked message that a process of `processes` listens for now; how many.
    boost::system::result<std::size_t> release(const registry& processes);

private:
    /// Releases the messages of one queue to `listeners` (none paused).
    boost::system::result<std::size_t> release_queue(const std::string& queue,
                                                     const std::vector<queue_listener>& listeners);

    nats::connection& nats_;
    const jetstream_settings settings_;
    std::size_t turn_ = 0;  // next listener of a point-to-point queue
};

}  // namespace ferry::engine::cluster
