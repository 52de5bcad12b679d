#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/refusal.hpp"
#include "ferry/engine/run/runner.hpp"
#include "ferry/store/store.hpp"

namespace boost::asio {
class thread_pool;
}

namespace ferry::engine {

class executor_pool;

/// What a bulk replay runs over and how (SPEC §7, docs/admin-api.md "Replay").
struct replay_request {
    /// Which executions: those matching the filter and created before the job started
    /// (newest first), or exactly `ids` when given.
    store::execution_filter filter;
    std::vector<std::string> ids;
    std::optional<std::uint32_t> version;  // run by this version (default: the active one)
    bool dry_run = false;   // run in memory with connectors stubbed; compare; store nothing
    std::size_t limit = 0;  // at most this many (0: all)
};

/// One execution a job could not replay, or (dry run) whose replay differs.
struct replay_item {
    std::string execution_id;
    std::string error;                     // refusal code, "" when it ran
    std::string detail;                    // refusal sentence
    std::vector<std::string> differences;  // dry run
    /// Dry run, for the console's side-by-side view: the step the run ended with, how many
    /// documents it passed on and the first few of them, each cut to a preview (kept for the
    /// first items of a job only: replay_job_settings::items_with_outputs).
    std::string dry_last_step{};
    std::size_t dry_output_count{};
    std::vector<std::string> dry_outputs{};
};

struct replay_progress {
    std::string id;
    std::string state;  // counting, running, finished, cancelled, failed
    replay_request request;
    std::uint64_t total = 0;     // executions to replay (known once counted)
    std::uint64_t done = 0;      // replayed (or dry-run) so far, refused ones included
    std::uint64_t replayed = 0;  // queued as new executions (or run, in a dry run)
    std::uint64_t refused = 0;
    std::uint64_t differing = 0;  // dry run
    std::int64_t started_ms = 0;
    std::int64_t finished_ms = 0;
    std::string error;  // why the job failed
    /// Refused executions and (dry run) differing ones, the first `max_items`.
    std::vector<replay_item> items;
    bool items_truncated = false;
};

struct replay_job_settings {
    std::size_t batch = 200;           // executions per group commit
    std::uint64_t max_backlog = 5000;  // waits while the executors have this many queued
    std::size_t max_items = 1000;      // per job
    std::size_t kept_jobs = 50;        // finished jobs kept for reading
    std::size_t max_running = 4;       // jobs at once
    kept_limits kept{};                // what a dry run keeps of each run
    /// Cluster mode: stores replays (in the outbox) and hands them to the cluster, instead of
    /// queuing them in this store's pending queue; and how many executions the cluster has
    /// waiting (for the pacing).
    std::function<boost::system::result<void>(std::vector<store::new_execution>&)>
        queue_in_cluster{};
    std::function<std::uint64_t()> cluster_backlog{};
    /// Dry run: the first items of a job keep their run's last outputs, at most
    /// `outputs_per_item` documents of at most `output_preview` bytes each.
    std::size_t items_with_outputs = 100;
    std::size_t outputs_per_item = 3;
    std::size_t output_preview = 10 * 1024;
};

/// Bulk replays in the background (SPEC §7): each job walks the history by filter, queues
/// every match as a new execution linked to it (replay_of) in group commits, pacing itself by
/// the executors' backlog so that live traffic is not starved; or, as a dry run, runs each in
/// memory with connectors stubbed and reports which differ from the original. Progress is
/// readable while it runs; a job can be cancelled. Jobs live in memory: a restart ends them
/// (what they queued stays queued).
///
/// Concurrency: thread-safe. Jobs run on a pool of max_running threads.
class replay_jobs {
public:
    replay_jobs(store::store& db, registry_holder& processes, executor_pool& executors,
                replay_job_settings settings = {});
    ~replay_jobs();
    replay_jobs(const replay_jobs&) = delete;
    replay_jobs& operator=(const replay_jobs&) = delete;

    /// Starts a job; its id. Refusals: unknown_version (no such version of the filter's
    /// process), too_many_jobs, shutting_down (after stop()).
    refused_or<std::string> start(replay_request request);
    std::optional<replay_progress> progress(const std::string& id) const;
    /// Every job kept, newest first, without items.
    std::vector<replay_progress> list() const;
    /// False when no job has that id; a job that already ended stays as it was.
    bool cancel(const std::string& id);
    /// Cancels every job and waits until they ended; no job starts after it.
    void stop();

private:
    struct job;
    void run(job& j);
    /// Replays (or dry-runs) one batch; why the job must fail, if it must.
    std::optional<std::string> run_batch(job& j, std::vector<store::execution_record>& batch);
    bool wait_for_room(job& j);
    /// A differing dry run's last step and its first outputs, as previews (replay_item).
    void keep_last_outputs(const run_outcome& outcome, replay_item& item) const;

    store::store& db_;
    registry_holder& processes_;
    executor_pool& executors_;
    replay_job_settings settings_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<job>> jobs_;  // by id (ids sort by time)
    bool stopped_ = false;                              // under mutex_
    std::unique_ptr<boost::asio::thread_pool> pool_;    // max_running threads
};

}  // namespace ferry::engine
