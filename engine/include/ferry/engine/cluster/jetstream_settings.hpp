#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ferry::engine::cluster {

/// Where a cluster keeps its executions in JetStream, and how long it leases them.
struct jetstream_settings {
    /// Executions waiting to run (work-queue retention: gone once finished), subject
    /// "<prefix>.runs".
    std::string runs_stream = "FERRY_RUNS";
    /// Outcomes ("<prefix>.outcome.<id>", one per execution, written create-only), kept
    /// answers ("<prefix>.answer.<key>") and sequences ("<prefix>.sequence.<name>").
    std::string records_stream = "FERRY_RECORDS";
    /// Queue messages nobody listens for yet ("<prefix>.parked.<queue>"), until a process
    /// listens on their queue.
    std::string parked_stream = "FERRY_PARKED";
    /// Redeliveries of failed queue messages until they are due ("<prefix>.delayed", work
    /// queue), taken by the consumer `delayed_consumer` of the ingress nodes.
    std::string delayed_stream = "FERRY_DELAYED";
    std::string delayed_consumer = "ferry-delayed";
    std::string subject_prefix = "ferry";
    /// The key-value bucket of what operators deployed, activated and paused (every node and
    /// worker follows it).
    std::string control_bucket = "ferry-control";
    /// The durable pull consumer every executor of the cluster claims from.
    std::string consumer = "ferry-executors";
    int replicas = 1;  // 3 on a cluster of three or more servers
    /// The server redelivers what a process stopped heartbeating for this long (a process
    /// that died, or stalled); while it lives, held work is heartbeated every third of it.
    std::chrono::milliseconds ack_wait{std::chrono::seconds(30)};
    /// A publish repeated within this window (same message id) is not stored again.
    std::chrono::milliseconds duplicate_window{std::chrono::minutes(10)};
    std::uint32_t max_attempts = 5;  // then the execution fails as abandoned
    int max_ack_pending = 20000;     // claimed and unfinished, over the whole cluster
};

}  // namespace ferry::engine::cluster
