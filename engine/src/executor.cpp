#include "ferry/engine/executor.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "clock.hpp"
#include "ferry/engine/runner.hpp"

namespace ferry::engine {
namespace {

constexpr std::size_t read_ahead = 256;

}  // namespace

executor_pool::executor_pool(store::store& db, const registry_holder& processes,
                             executor_settings settings)
    : db_(db), processes_(processes), settings_(std::move(settings)) {}

executor_pool::~executor_pool() { stop(); }

void executor_pool::start() {
    {
        std::lock_guard lock(mutex_);
        known_seq_ = db_.last_seq();
        stopping_ = false;
    }
    for (std::size_t i = 0; i < settings_.threads; ++i) {
        threads_.emplace_back([this] {
            pthread_setname_np(pthread_self(), "ferry-executor");
            // Acknowledging posts comes first; executions catch up from the durable queue.
            if (settings_.nice != 0)
                setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), settings_.nice);
            worker();
        });
    }
}

void executor_pool::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
}

void executor_pool::notify(std::uint64_t committed_seq) {
    {
        std::lock_guard lock(mutex_);
        if (committed_seq <= known_seq_) return;
        known_seq_ = committed_seq;
    }
    wake_.notify_all();
}

executor_stats executor_pool::stats() const { return {succeeded_.load(), failed_.load()}; }

std::vector<store::pending_entry> executor_pool::claim() {
    std::vector<store::pending_entry> claimed;
    std::unique_lock lock(mutex_);
    for (;;) {
        if (stopping_) return claimed;
        if (!buffer_.empty()) {
            while (!buffer_.empty() && claimed.size() < settings_.claim_batch) {
                claimed.push_back(std::move(buffer_.front()));
                buffer_.pop_front();
            }
            return claimed;
        }
        if (cursor_ <= known_seq_) {
            // One reader at a time under the lock keeps the cursor simple; the read is a
            // short seek in RocksDB, mostly in the memtable.
            auto entries = db_.read_pending(cursor_, read_ahead);
            if (!entries) {
                wake_.wait_for(lock, std::chrono::milliseconds(100));  // I/O error: back off
                continue;
            }
            // Entries past known_seq_ are written but not yet synced: not ours to run yet.
            std::size_t usable = 0;
            while (usable < entries->size() && (*entries)[usable].seq <= known_seq_) ++usable;
            if (usable == 0) {
                cursor_ = known_seq_ + 1;  // everything up to known_seq_ already finished
                continue;
            }
            cursor_ = (*entries)[usable - 1].seq + 1;
            for (std::size_t i = 0; i < usable; ++i) buffer_.push_back(std::move((*entries)[i]));
            continue;
        }
        wake_.wait(lock);
    }
}

void executor_pool::worker() {
    for (;;) {
        const auto entries = claim();
        if (entries.empty()) return;  // stopping
        run_batch(entries);
    }
}

void executor_pool::run_batch(const std::vector<store::pending_entry>& entries) {
    std::vector<store::execution_record> records;
    std::vector<store::execution_record> finished;  // ended before they started
    records.reserve(entries.size());
    const auto now = now_ms();
    for (const auto& entry : entries) {
        auto record = db_.read_execution(entry.execution_id);
        if (!record) {
            std::fprintf(stderr, "ferry executor: execution %s unreadable: %s\n",
                         entry.execution_id.c_str(), record.error().message().c_str());
            store::execution_record stub;
            stub.id = entry.execution_id;
            stub.state = store::execution_state::failed;
            stub.error = "execution record unreadable: " + record.error().message();
            record = std::move(stub);
        }
        auto& rec = *record;
        rec.pending_seq = entry.seq;
        if (rec.state == store::execution_state::failed) {
            rec.finished_ms = now;
            finished.push_back(std::move(rec));
            continue;
        }
        ++rec.attempts;
        rec.started_ms = now;
        rec.error.clear();
        if (rec.attempts > settings_.max_attempts) {
            rec.state = store::execution_state::failed;
            rec.error = "abandoned after " + std::to_string(settings_.max_attempts) +
                        " attempts that did not finish (the server stopped during each)";
            rec.finished_ms = now;
            finished.push_back(std::move(rec));
            continue;
        }
        rec.state = store::execution_state::running;
        records.push_back(std::move(rec));
    }
    // One write marks the whole batch running; it also makes `attempts` count a crash.
    (void)db_.update_executions(records);
    for (auto& rec : records) run_one(rec);
    finished.insert(finished.end(), std::make_move_iterator(records.begin()),
                    std::make_move_iterator(records.end()));
    for (const auto& rec : finished) {
        (rec.state == store::execution_state::succeeded ? succeeded_ : failed_)
            .fetch_add(1, std::memory_order_relaxed);
    }
    if (auto done = db_.finish_executions(finished); !done) {
        // The pending entries stay: these executions run again after a restart.
        std::fprintf(stderr, "ferry executor: cannot record the end of %zu executions: %s\n",
                     finished.size(), done.error().message().c_str());
    }
}

void executor_pool::run_one(store::execution_record& rec) {
    auto fail = [&](std::string error) {
        rec.state = store::execution_state::failed;
        rec.error = std::move(error);
        rec.finished_ms = now_ms();
    };
    const auto p = processes_.get()->by_name(rec.process);
    if (!p) return fail("process '" + rec.process + "' is not deployed");

    std::vector<working_document> documents;
    documents.reserve(rec.document_ids.size());
    for (std::size_t i = 0; i < rec.document_ids.size(); ++i) {
        auto doc = db_.read_document(rec.document_ids[i]);
        if (!doc) {
            return fail("document " + rec.document_ids[i] +
                        " unreadable: " + doc.error().message());
        }
        documents.push_back({std::move(*doc), i});
    }
    const auto outcome = run_process(*p, rec, std::move(documents), {settings_.files_root});
    if (!outcome.ok) return fail("step '" + outcome.failed_step + "': " + outcome.error);
    rec.state = store::execution_state::succeeded;
    rec.finished_ms = now_ms();
}

}  // namespace ferry::engine
