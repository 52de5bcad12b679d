#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ferry/engine/cluster/jetstream_settings.hpp"
#include "ferry/engine/workers/worker_report.hpp"
#include "ferry/nats/connection.hpp"
#include "ferry/threads/service_thread.hpp"

namespace ferry::nats {
class kv_bucket;
}

namespace ferry::engine::cluster {

/// What a member of the cluster (an ingress node or a worker) says of itself.
struct member_report {
    std::string name;  // the node's name, or the worker's (host:pid)
    std::string kind;  // "node" or "worker"
    std::string host;
    std::int64_t started_ms = 0;
    std::int64_t reported_ms = 0;         // when it said so
    worker_report executors;              // its executor threads' figures (a node's own executors)
    std::uint64_t outbox = 0;             // a node: executions in its outbox
    std::uint64_t outcomes_followed = 0;  // a node: outcomes written into its history
};

/// A member as an operator sees it: `up` while it reports, `silent` once it missed three
/// reports (dead, stopped hard or cut off; gone from the list a minute after its last).
struct member_view {
    member_report report;
    std::string state;  // up, silent
    std::int64_t heard_ms_ago = 0;
};

/// The cluster as one node last read it (every 2 s), for /metrics: who is in it, and the
/// work stream's executions.
struct cluster_view {
    std::vector<member_view> members;
    std::uint64_t queued = 0;   // in the work stream, not claimed yet
    std::uint64_t leased = 0;   // claimed by an executor, not finished yet
    std::uint64_t delayed = 0;  // redeliveries of queue messages waiting for their time
    bool read = false;          // false: not read yet, or the cluster did not answer last time
};

/// Who is in the cluster (`ferry nodes`, GET /_admin/nodes): each member writes its report to
/// the key-value bucket `ferry-members` every two seconds; a value a minute old is gone; a
/// member that stops cleanly takes its own out.
///
/// Threads: the reporter (start() to stop()). members() from any thread.
class cluster_presence {
public:
    using report_source = std::function<member_report()>;
    static constexpr std::chrono::milliseconds report_every{2000};

    static boost::system::result<std::unique_ptr<cluster_presence>> open(
        nats::connection& nats, const jetstream_settings& settings, report_source report);
    ~cluster_presence();
    cluster_presence(const cluster_presence&) = delete;
    cluster_presence& operator=(const cluster_presence&) = delete;

    void start();
    /// Stops reporting and takes this member out of the list.
    void stop();
    /// Every member heard from within the last minute, by kind then name.
    boost::system::result<std::vector<member_view>> members() const;

private:
    cluster_presence(std::unique_ptr<nats::kv_bucket> bucket, report_source report);
    void report_now();

    std::unique_ptr<nats::kv_bucket> bucket_;
    report_source report_;
    std::string key_;  // this member's, once reported
    threads::service_thread reporter_;
};

/// This host's name.
std::string host_name();

}  // namespace ferry::engine::cluster
