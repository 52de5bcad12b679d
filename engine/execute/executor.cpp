#include "ferry/engine/execute/executor.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "clock.hpp"
#include "execute/execution.hpp"
#include "ferry/store/log.hpp"
#include "ferry/transport/reply_channel.hpp"

namespace ferry::engine {
namespace {

constexpr std::size_t read_ahead = 256;

template <typename Items>
std::vector<std::uint64_t> seqs_of(const Items& items) {
    std::vector<std::uint64_t> seqs;
    seqs.reserve(items.size());
    for (const auto& item : items) seqs.push_back(item.seq);
    return seqs;
}

}  // namespace

executor_pool::executor_pool(store::store& db, const registry_holder& processes,
                             executor_settings settings)
    : db_(db), processes_(processes), settings_(std::move(settings)) {}

executor_pool::~executor_pool() { stop(); }

void executor_pool::start() {
    // Before any thread runs: what the previous server was running when it stopped gets its
    // interrupted attempt counted, so that an execution that kills the server is given up.
    if (auto counted = db_.recover_interrupted(); !counted) {
        log::error("executor", "cannot count interrupted executions",
                   {{"error", counted.error().message()}});
    } else if (*counted > 0) {
        log::warn("executor", "executions were interrupted; running them again",
                  {{"executions", std::to_string(*counted)}});
    }
    {
        std::lock_guard lock(mutex_);
        known_seq_ = db_.last_seq();
        stopping_ = false;
    }
    for (std::size_t i = 0; i < settings_.threads; ++i) {
        threads_.emplace_back([this, slot = static_cast<std::uint32_t>(i)] {
            pthread_setname_np(pthread_self(), "ferry-executor");
            // Acknowledging posts comes first; executions catch up from the durable queue.
            if (settings_.nice != 0)
                setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), settings_.nice);
            worker(slot);
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

void executor_pool::notify(std::uint64_t committed_seq, std::vector<store::new_execution> fresh) {
    {
        std::lock_guard lock(mutex_);
        if (committed_seq <= known_seq_) return;
        // Take the handed-over executions only when they are exactly the next entries the
        // cursor would read and there is room; otherwise the cursor reads them from the store.
        const bool caught_up = cursor_ == known_seq_ + 1;
        const bool exact = !fresh.empty() && fresh.front().record.pending_seq == cursor_ &&
                           fresh.back().record.pending_seq == committed_seq &&
                           committed_seq - cursor_ + 1 == fresh.size();
        known_seq_ = committed_seq;
        if (caught_up && exact && buffer_.size() + fresh.size() <= settings_.handoff_limit) {
            for (auto& execution : fresh) {
                const auto seq = execution.record.pending_seq;
                auto id = execution.record.id;
                buffer_.push_back({seq, std::move(id), std::move(execution)});
            }
            cursor_ = committed_seq + 1;
        }
    }
    wake_.notify_all();
    if (work_signal_) work_signal_();
}

std::uint64_t executor_pool::next_sequence(std::string_view name) {
    constexpr std::uint64_t block = 100;
    std::lock_guard lock(sequences_mutex_);
    auto& b = sequences_[std::string(name)];
    if (b.next == b.end) {
        const auto first = db_.reserve_sequence(name, block);
        if (!first) {
            throw std::runtime_error("cannot reserve values of the sequence '" + std::string(name) +
                                     "': " + first.error().message());
        }
        b = {*first, *first + block};
    }
    return b.next++;
}

bool executor_pool::run_in_memory(store::new_execution execution) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || in_memory_.size() >= settings_.handoff_limit) return false;
        in_memory_.push_back(std::move(execution));
    }
    wake_.notify_one();
    if (work_signal_) work_signal_();
    return true;
}

std::optional<std::int64_t> executor_pool::running_since(const std::string& execution_id) const {
    std::lock_guard lock(mutex_);
    const auto it = running_.find(execution_id);
    if (it == running_.end()) return std::nullopt;
    return it->second;
}

executor_stats executor_pool::stats() const {
    std::lock_guard lock(mutex_);
    return {succeeded_.load(), failed_.load(), running_.size()};
}

std::uint64_t executor_pool::backlog() const {
    std::lock_guard lock(mutex_);
    const auto unread = known_seq_ + 1 > cursor_ ? known_seq_ + 1 - cursor_ : 0;
    return unread + buffer_.size();
}

std::vector<executor_pool::work_item> executor_pool::claim() {
    std::unique_lock lock(mutex_);
    return claim_locked(lock, settings_.claim_batch, true);
}

std::vector<executor_pool::work_item> executor_pool::try_claim(std::size_t max) {
    std::unique_lock lock(mutex_);
    return claim_locked(lock, max, false);
}

std::vector<executor_pool::work_item> executor_pool::claim_locked(
    std::unique_lock<std::mutex>& lock, std::size_t max, bool wait) {
    std::vector<work_item> claimed;
    for (;;) {
        if (stopping_ || max == 0) return claimed;
        if (!in_memory_.empty()) {
            // In-memory executions first: a caller is waiting for each. seq 0 marks them.
            while (!in_memory_.empty() && claimed.size() < max) {
                auto id = in_memory_.front().record.id;
                claimed.push_back({0, std::move(id), std::move(in_memory_.front())});
                in_memory_.pop_front();
            }
            return claimed;
        }
        if (!buffer_.empty()) {
            while (!buffer_.empty() && claimed.size() < max) {
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
                if (!wait) return claimed;
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
            for (std::size_t i = 0; i < usable; ++i) {
                auto& entry = (*entries)[i];
                buffer_.push_back({entry.seq, std::move(entry.execution_id), std::nullopt});
            }
            continue;
        }
        if (!wait) return claimed;
        wake_.wait(lock);
    }
}

void executor_pool::set_work_signal(std::function<void()> signal) {
    work_signal_ = std::move(signal);
}

void executor_pool::mark_running(std::span<const work_item> items, std::int64_t now) {
    std::lock_guard lock(mutex_);
    for (const auto& item : items) running_.emplace(item.execution_id, now);
}

void executor_pool::mark_done(std::span<const work_item> items) {
    std::lock_guard lock(mutex_);
    for (const auto& item : items) running_.erase(item.execution_id);
}

execution_limits executor_pool::limits() const {
    execution_limits out;
    out.files_root = settings_.files_root;
    out.max_trace_entries = settings_.max_trace_entries;
    out.max_kept_documents = settings_.max_kept_documents;
    out.max_kept_bytes = settings_.max_kept_bytes;
    out.page_ttl_ms = settings_.page_ttl_ms;
    out.reply_ttl_ms = settings_.reply_ttl_ms;
    out.redelivery_ms = settings_.redelivery_ms;
    return out;
}

executor_pool::prepared executor_pool::prepare(work_item& item, std::int64_t now) {
    prepared out;
    auto& rec = out.record;
    if (item.seq == 0) {  // in memory: nothing to load, no attempts to count
        rec = std::move(item.loaded->record);
        out.documents = std::move(item.loaded->documents);
        rec.state = store::execution_state::running;
        rec.started_ms = now;
        return out;
    }
    // A streamed upload's documents are in the store, not in the intake's message.
    const bool loaded = item.loaded && item.loaded->arrives == store::new_execution::part::whole;
    if (item.loaded) {
        rec = std::move(item.loaded->record);
        out.documents = std::move(item.loaded->documents);
    } else if (auto stored = db_.read_execution(item.execution_id); stored) {
        rec = std::move(*stored);
    } else {
        log::error("executor", "execution record unreadable",
                   {{"execution_id", item.execution_id}, {"error", stored.error().message()}});
        rec.id = item.execution_id;
        out.error = "execution record unreadable: " + stored.error().message();
    }
    rec.pending_seq = item.seq;
    if (!out.error.empty()) return out;
    ++rec.attempts;
    rec.started_ms = now;
    rec.error.clear();
    if (rec.attempts > settings_.max_attempts) {
        out.error = "abandoned after " + std::to_string(settings_.max_attempts) +
                    " attempts that did not finish (the server stopped during each)";
        return out;
    }
    rec.state = store::execution_state::running;
    if (!loaded) {
        out.documents.clear();
        out.documents.reserve(rec.document_ids.size());
        for (const auto& id : rec.document_ids) {
            auto doc = db_.read_document(id);
            if (!doc) {
                out.error = "document " + id + " unreadable: " + doc.error().message();
                return out;
            }
            out.documents.push_back(std::move(*doc));
        }
    }
    return out;
}

execution_services executor_pool::services(const reply_sink& send_reply, bool in_memory) {
    execution_services out;
    auto registry = processes_.get();
    out.find_process = [registry](std::string_view name) { return registry->by_name(name); };
    out.queue_listeners = [registry](std::string_view queue) {
        return registry->queue_listeners(queue);
    };
    out.find_version = [registry](std::string_view name, std::uint32_t version) {
        return registry->for_execution(name, version);
    };
    out.next_sequence = [this](std::string_view name) { return next_sequence(name); };
    out.in_memory = in_memory;
    if (send_reply) {
        out.respond_now = [this, &send_reply](transport::frames reply, kept_answers pages) {
            // The pages the early reply links to are written before it goes out.
            if (!pages.empty()) {
                if (auto written = db_.put_answers(pages); !written) {
                    log::error("executor", "cannot keep the later pages of a reply",
                               {{"error", written.error().message()}});
                }
            }
            send_reply(std::move(reply));
        };
    }
    return out;
}

namespace {

// One line per finished execution: failures as warnings, successes at debug level (a busy
// server finishes thousands a second).
void log_finished(const store::execution_record& rec, bool ok) {
    const auto level = ok ? log::level::debug : log::level::warn;
    if (!log::enabled(level)) return;
    const auto correlation = rec.process_props.find("correlation_id");
    log::write(level, "executor", ok ? "execution succeeded" : "execution failed",
               {{"execution_id", rec.id},
                {"process", rec.process},
                {"version", std::to_string(rec.process_version)},
                {"correlation_id", correlation == rec.process_props.end()
                                       ? std::string_view(rec.reply_to)
                                       : std::string_view(correlation->second)},
                {"duration_ms", std::to_string(rec.finished_ms - rec.started_ms)},
                {"error", rec.error}});
}

}  // namespace

bool executor_pool::record_finished(std::span<const store::execution_record> records,
                                    execution_output& out,
                                    const store::store::running_note* then_running,
                                    bool until_recorded) {
    using namespace std::chrono_literals;
    auto pause = std::chrono::milliseconds(100);
    for (int tries = 1;; ++tries) {
        const auto done =
            db_.finish_executions(records, out.kept, out.started, out.dead, then_running);
        if (done) {
            if (tries > 1) {
                log::warn("executor",
                          "recorded the end of executions once the store took writes again",
                          {{"executions", std::to_string(records.size())},
                           {"tries", std::to_string(tries)}});
            }
            return true;
        }
        if (tries == 1) {
            log::error("executor",
                       "cannot record the end of executions; written again once the store takes "
                       "writes (a stop leaves them to run again after the restart)",
                       {{"executions", std::to_string(records.size())},
                        {"error", done.error().message()}});
        }
        if (!until_recorded) return false;
        // A failed write applied nothing, so the same write is tried again.
        std::unique_lock lock(mutex_);
        if (wake_.wait_for(lock, pause, [this] { return stopping_; })) return false;
        pause = std::min<std::chrono::milliseconds>(pause * 2, 5s);
    }
}

void executor_pool::queue_started(std::span<const store::new_execution> started) {
    if (started.empty()) return;
    // Executions started by process_call or queue_send run once durable; the sync makes them
    // so (and everything queued before them). Redeliveries wait for their time.
    std::uint64_t last_seq = 0;
    std::vector<store::waiting_entry> delayed;
    for (const auto& e : started) {
        last_seq = std::max(last_seq, e.record.pending_seq);
        if (e.not_before_ms != 0) delayed.push_back({e.record.id, e.not_before_ms, {}});
    }
    if (auto synced = db_.sync(); synced) {
        if (last_seq != 0) notify(last_seq);
        if (!delayed.empty() && on_delayed_) on_delayed_(delayed);
    } else {
        log::error("executor", "cannot sync started executions",
                   {{"error", synced.error().message()}});
    }
}

bool executor_pool::complete(std::vector<store::execution_record>& finished, execution_output& out,
                             bool in_memory, const reply_sink& send_reply,
                             const store::store::running_note* then_running, bool until_recorded) {
    bool written = true;
    for (auto& rec : finished) {
        if (rec.finished_ms == 0) rec.finished_ms = now_ms();
        const bool ok = rec.state == store::execution_state::succeeded;
        (ok ? succeeded_ : failed_).fetch_add(1, std::memory_order_relaxed);
        log_finished(rec, ok);
    }
    keep_answers(out.answers);
    // In memory, only what the executions started (process_call) is stored: durable work like
    // any other.
    const std::span<const store::execution_record> records =
        in_memory ? std::span<const store::execution_record>() : finished;
    auto& started = out.started;
    if (records.empty() && started.empty()) {
        // nothing to write
    } else if (!record_finished(records, out, then_running, until_recorded)) {
        written = false;
    } else {
        queue_started(started);
    }
    // Synchronous callers get their replies once the outcome is recorded.
    if (send_reply) {
        for (auto& reply : out.replies) send_reply(std::move(reply));
    }
    return written;
}

void executor_pool::worker(std::uint32_t slot) {
    // Each executor thread has its own reply socket (ZeroMQ sockets are single-threaded).
    std::optional<transport::reply_sender> replies;
    if (settings_.reply_context)
        replies.emplace(*settings_.reply_context, settings_.reply_endpoint);
    reply_sink send_reply;
    if (replies) {
        send_reply = [&replies](transport::frames f) {
            if (!replies->send(std::move(f))) {
                log::warn("executor", "a synchronous reply could not be sent");
            }
        };
    }
    const auto limits = this->limits();
    std::vector<work_item> next;  // claimed while the previous batch was being recorded
    bool next_noted = false;      // and noted as running in that batch's write
    for (;;) {
        auto items = next.empty() ? claim() : std::move(next);
        next.clear();
        if (items.empty()) return;  // stopping
        const bool in_memory = items.front().seq == 0;
        const auto now = now_ms();
        if (!in_memory) {
            if (!next_noted) {
                if (auto noted = db_.record_running(slot, seqs_of(items)); !noted) {
                    // Only the crash accounting is lost; running is still right.
                    log::error("executor", "cannot note running executions",
                               {{"error", noted.error().message()}});
                }
            }
            mark_running(items, now);
        }
        next_noted = false;
        const auto run_with = services(send_reply, in_memory);
        execution_output out;
        std::vector<store::execution_record> finished;
        finished.reserve(items.size());
        for (auto& item : items) {
            auto ready = prepare(item, now);
            if (ready.error.empty()) {
                run_execution(ready.record, std::move(ready.documents), limits, run_with, out);
            } else {
                fail_execution(ready.record, std::move(ready.error), run_with, out);
                // A queue message that cannot run at all (it kept crashing the server, or is
                // unreadable) is a dead letter at once: an operator decides.
                const auto& props = ready.record.process_props;
                if (const auto q = props.find("queue"); q != props.end()) {
                    out.dead.push_back({ready.record.id, q->second, now_ms()});
                }
            }
            finished.push_back(std::move(ready.record));
        }
        // Under load the next batch is already waiting: claimed now, its running note goes in
        // this batch's write (one write per batch instead of two). A crash between that write
        // and the next batch's start counts one attempt too many for it, which is harmless.
        store::store::running_note note{slot, {}};
        if (!in_memory) {
            next = try_claim(settings_.claim_batch);
            if (!next.empty() && next.front().seq != 0) note.seqs = seqs_of(next);
        }
        // A store that cannot write (a full disk) is waited for: these executions ran, and
        // running them again after a restart would repeat what they did.
        const bool written = complete(finished, out, in_memory, send_reply,
                                      note.seqs.empty() ? nullptr : &note, true);
        next_noted = written && !note.seqs.empty();
        if (!in_memory) mark_done(items);
    }
}

void executor_pool::keep_answers(kept_answers& answers) {
    if (answers.empty()) return;
    if (auto written = db_.put_answers(answers); !written) {
        log::error(
            "executor", "cannot keep replies for their status links",
            {{"replies", std::to_string(answers.size())}, {"error", written.error().message()}});
    }
    answers.clear();
    // Expired answers go now and then, from whichever executor comes by.
    const auto now = now_ms();
    auto due = next_answer_sweep_ms_.load();
    if (now >= due && next_answer_sweep_ms_.compare_exchange_strong(due, now + 600'000)) {
        (void)db_.delete_expired_answers(now);
    }
}

}  // namespace ferry::engine
