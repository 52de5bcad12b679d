#include "ferry/engine/ops/replay_jobs.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <thread>

#include "clock.hpp"
#include "ferry/engine/execute/executor.hpp"
#include "ferry/engine/intake/submission.hpp"
#include "ferry/engine/ops/replay.hpp"
#include "ferry/engine/run/runner.hpp"
#include "id_generator.hpp"
#include "ops/replay_compare.hpp"

namespace ferry::engine {

struct replay_jobs::job {
    replay_progress progress;  // guarded by replay_jobs::mutex_
    std::atomic<bool> cancelled{false};
};

namespace {

constexpr std::size_t count_page = 1000;

bool ended(const replay_progress& p) {
    return p.state == "finished" || p.state == "cancelled" || p.state == "failed";
}

}  // namespace

replay_jobs::replay_jobs(store::store& db, registry_holder& processes, executor_pool& executors,
                         replay_job_settings settings)
    : db_(db),
      processes_(processes),
      executors_(executors),
      settings_(settings),
      pool_(std::make_unique<boost::asio::thread_pool>(
          std::max<std::size_t>(1, settings.max_running))) {}

replay_jobs::~replay_jobs() { stop(); }

refused_or<std::string> replay_jobs::start(replay_request request) {
    if (request.version && request.ids.empty() && request.filter.process.empty()) {
        return refusal{errc::version_needs_process,
                       "a version belongs to one process: give the process as well"};
    }
    if (request.version && !request.filter.process.empty() &&
        !processes_.get()->version(request.filter.process, *request.version)) {
        return refusal{errc::unknown_version,
                       "process '" + request.filter.process + "' has no version " +
                           std::to_string(*request.version) + "; deploy it (it need not serve)"};
    }
    std::lock_guard lock(mutex_);
    if (stopped_) return refusal{errc::shutting_down, "the server is stopping"};
    std::size_t running = 0;
    for (const auto& [id, j] : jobs_) running += ended(j->progress) ? 0 : 1;
    if (running >= settings_.max_running) {
        return refusal{errc::too_many_jobs,
                       std::to_string(running) + " replays are running; wait for one or cancel it"};
    }
    // Forget the oldest ended jobs beyond the ones kept.
    std::size_t kept = 0;
    for (auto it = jobs_.rbegin(); it != jobs_.rend();) {
        if (ended(it->second->progress) && ++kept > settings_.kept_jobs) {
            it = std::make_reverse_iterator(jobs_.erase(std::next(it).base()));
        } else {
            ++it;
        }
    }
    static id_generator ids;  // under mutex_
    auto j = std::make_shared<job>();
    auto& p = j->progress;
    p.id = ids.next();
    p.state = "counting";
    p.started_ms = now_ms();
    // Only what existed when the job started: the replays it makes are never replayed again.
    if (request.filter.to_ms == 0 || request.filter.to_ms > p.started_ms) {
        request.filter.to_ms = p.started_ms;
    }
    p.request = std::move(request);
    jobs_.emplace(p.id, j);
    boost::asio::post(*pool_, [this, j] { run(*j); });
    return p.id;
}

std::optional<replay_progress> replay_jobs::progress(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    return it->second->progress;
}

std::vector<replay_progress> replay_jobs::list() const {
    std::lock_guard lock(mutex_);
    std::vector<replay_progress> out;
    // Newest first (clang-tidy 14 offers a range-for that would walk the wrong way).
    for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {  // NOLINT(modernize-loop-convert)
        auto p = it->second->progress;
        p.items.clear();
        out.push_back(std::move(p));
    }
    return out;
}

bool replay_jobs::cancel(const std::string& id) {
    std::lock_guard lock(mutex_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) return false;
    it->second->cancelled = true;
    return true;
}

void replay_jobs::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
        for (auto& [id, j] : jobs_) j->cancelled = true;
    }
    pool_->join();  // the cancelled jobs end at their next check
}

// Waits while the executors have more queued than max_backlog, so that a replay of a long
// history does not starve live traffic; false when cancelled meanwhile.
bool replay_jobs::wait_for_room(job& j) {
    const auto backlog = [this] {
        return settings_.cluster_backlog ? settings_.cluster_backlog() : executors_.backlog();
    };
    while (backlog() > settings_.max_backlog) {
        if (j.cancelled) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return !j.cancelled;
}

std::optional<std::string> replay_jobs::run_batch(job& j,
                                                  std::vector<store::execution_record>& batch) {
    const auto registry = processes_.get();
    const auto& request = j.progress.request;  // not changed while the job runs
    std::vector<replay_item> refused;
    std::vector<replay_item> differing;
    std::vector<store::new_execution> fresh;
    std::size_t ran = 0;
    thread_local id_generator ids;
    for (const auto& original : batch) {
        auto made = replay_of_record(db_, *registry, original, request.version);
        if (!made) {
            refused.push_back(
                {original.id, std::string(made.error().name()), made.error().detail, {}});
            continue;
        }
        auto& s = *made;
        if (!request.dry_run) {
            fresh.push_back(new_execution_of(std::move(s), ids.next(), now_ms()));
            continue;
        }
        const auto p = registry->for_execution(s.process, s.process_version);
        run_settings run;
        run.stub_connectors = true;
        run.keep_step_documents = true;
        run.kept = settings_.kept;
        // Sequential values are not reserved by a dry run: it counts its own from 1.
        registry_host host(registry);
        run.host = &host;
        store::execution_record context = original;
        context.process_version = p->version;
        context.process_props = s.process_props;
        std::vector<working_document> documents;
        for (std::size_t i = 0; i < s.documents.size(); ++i) {
            documents.push_back({std::move(s.documents[i]), i, {}});
        }
        run_outcome outcome;
        try {
            outcome = run_process_blocking(*p, context, std::move(documents), run);
        } catch (const std::exception& e) {
            outcome.ok = false;
            outcome.error = e.what();
        }
        ++ran;
        auto differences = replay_differences(db_, *p, original, outcome);
        if (differences.empty()) continue;
        replay_item item{original.id, "", "", std::move(differences)};
        keep_last_outputs(outcome, item);
        differing.push_back(std::move(item));
    }
    if (!fresh.empty()) {
        if (!wait_for_room(j)) return std::nullopt;
        ran = fresh.size();
        if (settings_.queue_in_cluster) {
            if (auto queued = settings_.queue_in_cluster(fresh); !queued) {
                return "cannot store the replays: " + queued.error().message();
            }
        } else {
            auto seq = db_.append(fresh);
            if (!seq) return "cannot store the replays: " + seq.error().message();
            if (auto synced = db_.sync(); !synced) {
                return "cannot store the replays: " + synced.error().message();
            }
            executors_.notify(*seq, std::move(fresh));
        }
    }
    std::lock_guard lock(mutex_);
    auto& p = j.progress;
    p.done += batch.size();
    p.replayed += ran;
    p.refused += refused.size();
    p.differing += differing.size();
    for (auto* items : {&refused, &differing}) {
        for (auto& item : *items) {
            if (p.items.size() >= settings_.max_items) {
                p.items_truncated = true;
                break;
            }
            if (p.items.size() >= settings_.items_with_outputs) item.dry_outputs.clear();
            p.items.push_back(std::move(item));
        }
    }
    return std::nullopt;
}

void replay_jobs::keep_last_outputs(const run_outcome& outcome, replay_item& item) const {
    if (outcome.trace.empty()) return;
    const auto& last = outcome.trace.back();
    item.dry_last_step = last.step;
    item.dry_output_count = last.documents_out;
    for (const auto& doc : last.outputs) {
        if (item.dry_outputs.size() >= settings_.outputs_per_item) break;
        auto end = std::min(doc.data.size(), settings_.output_preview);
        // Not through a UTF-8 sequence: the preview stays text when the document is.
        while (end < doc.data.size() && end > 0 &&
               (static_cast<unsigned char>(doc.data[end]) & 0xC0) == 0x80) {
            --end;
        }
        item.dry_outputs.push_back(doc.data.substr(0, end));
    }
}

void replay_jobs::run(job& j) {
    const auto request = [&] {
        std::lock_guard lock(mutex_);
        return j.progress.request;
    }();
    const auto set_state = [&](const char* state, std::string error = {}) {
        std::lock_guard lock(mutex_);
        j.progress.state = state;
        j.progress.error = std::move(error);
        if (ended(j.progress)) j.progress.finished_ms = now_ms();
    };
    try {
        // Count first, so that progress has a total.
        std::uint64_t total = request.ids.size();
        if (request.ids.empty()) {
            std::string cursor;
            do {
                auto page = db_.list_executions(request.filter, cursor, count_page);
                if (!page)
                    return set_state("failed",
                                     "cannot read the history: " + page.error().message());
                total += page->executions.size();
                cursor = page->next_cursor;
            } while (!cursor.empty() && !j.cancelled &&
                     (request.limit == 0 || total < request.limit));
        }
        if (request.limit != 0 && total > request.limit) total = request.limit;
        {
            std::lock_guard lock(mutex_);
            j.progress.total = total;
            j.progress.state = "running";
        }
        std::uint64_t taken = 0;
        std::vector<store::execution_record> batch;
        if (!request.ids.empty()) {
            for (std::size_t i = 0; i < request.ids.size() && !j.cancelled; ++i) {
                auto record = db_.read_execution(request.ids[i]);
                if (record) {
                    batch.push_back(std::move(*record));
                } else {
                    std::lock_guard lock(mutex_);
                    auto& p = j.progress;
                    ++p.done;
                    ++p.refused;
                    if (p.items.size() < settings_.max_items) {
                        p.items.push_back({request.ids[i],
                                           "unknown_execution",
                                           "no execution has the id '" + request.ids[i] + "'",
                                           {}});
                    }
                }
                if (!batch.empty() &&
                    (batch.size() == settings_.batch || i + 1 == request.ids.size())) {
                    if (auto failed = run_batch(j, batch)) return set_state("failed", *failed);
                    batch.clear();
                }
            }
        } else {
            std::string cursor;
            do {
                const auto want = std::min<std::uint64_t>(settings_.batch, total - taken);
                if (want == 0) break;
                auto page = db_.list_executions(request.filter, cursor, want);
                if (!page)
                    return set_state("failed",
                                     "cannot read the history: " + page.error().message());
                cursor = page->next_cursor;
                taken += page->executions.size();
                if (!page->executions.empty()) {
                    if (auto failed = run_batch(j, page->executions)) {
                        return set_state("failed", *failed);
                    }
                }
            } while (!cursor.empty() && !j.cancelled);
        }
        set_state(j.cancelled ? "cancelled" : "finished");
    } catch (const std::exception& e) {
        // Nothing expected throws (store failures are values above); this is the last guard.
        set_state("failed", e.what());
    }
}

}  // namespace ferry::engine
