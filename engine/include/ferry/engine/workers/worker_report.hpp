#pragma once

#include <cstdint>
#include <string>

#include "ferry/engine/execute/executor.hpp"

namespace ferry::engine {

/// What a `ferry worker` process says of itself with each heartbeat: its executor loops'
/// figures, as a serving process's own (`executors.running` is what its loops hold).
struct worker_report {
    std::string id;
    std::uint64_t threads = 0;
    std::uint64_t prefetched = 0;  // executions received and not started yet
    executor_stats executors;
};

/// A worker process as its serving process sees it: its last report, when it was heard, and
/// how many executions the serving process has out on it.
struct worker_view {
    worker_report report;
    std::int64_t heard_ms_ago = 0;
    std::uint64_t leased = 0;
    bool reported = false;  // false: heard (a heartbeat, work asked for) but no report yet
};

}  // namespace ferry::engine
