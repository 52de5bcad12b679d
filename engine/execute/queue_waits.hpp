#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "ferry/engine/execute/executor.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/store/store.hpp"
#include "ferry/threads/service_thread.hpp"

namespace ferry::engine {

/// Queue messages waiting outside the pending queue (SPEC §3, docs/storage.md): a redelivery
/// becomes pending when its time comes (a timer thread), a parked message when a process
/// listens on its queue (release_parked(), after every change of the deployed processes).
///
/// Lifecycle: start() after the executors (it loads the delayed redeliveries and releases
/// parked messages), stop() before them. Concurrency: add() and release_parked() are
/// thread-safe.
class queue_waits {
public:
    queue_waits(store::store& db, executor_pool& executors, const registry_holder& processes)
        : db_(db), executors_(executors), processes_(processes) {}
    ~queue_waits() { stop(); }
    queue_waits(const queue_waits&) = delete;
    queue_waits& operator=(const queue_waits&) = delete;

    void start();
    void stop();
    /// Redeliveries just stored, each waiting until its due time.
    void add(const std::vector<store::waiting_entry>& delayed);
    /// Queues every parked message whose queue has a listener now (paused ones do not count):
    /// one listener takes a point-to-point message (taking turns), every listener a published
    /// one; a paused subscriber's copy of a published message goes to that subscriber once it
    /// resumes.
    void release_parked();
    std::size_t delayed() const;

private:
    void run(std::stop_token stop);

    store::store& db_;
    executor_pool& executors_;
    const registry_holder& processes_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;              // new due times and stop requests wake it
    std::multimap<std::int64_t, std::string> due_;  // due time (ms) -> execution id
    std::mutex release_mutex_;                      // one release at a time
    std::size_t turn_ = 0;            // next listener of a point-to-point queue (release_mutex_)
    threads::service_thread thread_;  // last: stopped before the members it uses go
};

}  // namespace ferry::engine
