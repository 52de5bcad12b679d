#include "ferry/engine/executor.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "clock.hpp"
#include "ferry/engine/reply.hpp"
#include "ferry/engine/runner.hpp"
#include "ferry/transport/reply_channel.hpp"
#include "ferry/engine/submission.hpp"
#include "id_generator.hpp"

namespace ferry::engine {
namespace {

constexpr std::size_t read_ahead = 256;

}  // namespace

executor_pool::executor_pool(store::store& db, const registry_holder& processes,
                             executor_settings settings)
    : db_(db), processes_(processes), settings_(std::move(settings)) {}

executor_pool::~executor_pool() { stop(); }

void executor_pool::start() {
    // Before any thread runs: what the previous server was running when it stopped gets its
    // interrupted attempt counted, so that an execution that kills the server is given up.
    if (auto counted = db_.recover_interrupted(); !counted) {
        std::fprintf(stderr, "ferry executor: cannot count interrupted executions: %s\n",
                     counted.error().message().c_str());
    } else if (*counted > 0) {
        std::fprintf(stderr,
                     "ferry executor: %zu executions were interrupted; running them again\n",
                     *counted);
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
    return true;
}

void executor_pool::run_in_memory_batch(std::vector<work_item>& items,
                                        const std::function<void(transport::frames)>& send_reply) {
    batch_output out;
    out.send_now = send_reply;
    out.in_memory = true;
    for (auto& item : items) {
        auto& rec = item.loaded->record;
        rec.state = store::execution_state::running;
        rec.started_ms = now_ms();
        run_one(rec, std::move(item.loaded->documents), true, out);
        (rec.state == store::execution_state::succeeded ? succeeded_ : failed_)
            .fetch_add(1, std::memory_order_relaxed);
    }
    if (send_reply) {
        for (auto& reply : out.replies) send_reply(std::move(reply));
    }
    // What they started through process_call is durable work like any other.
    if (!out.started.empty()) {
        if (auto done = db_.finish_executions({}, {}, out.started); done && db_.sync()) {
            notify(out.started.back().record.pending_seq);
        } else {
            std::fprintf(stderr, "ferry executor: cannot queue %zu started executions\n",
                         out.started.size());
        }
    }
}

std::optional<std::int64_t> executor_pool::running_since(const std::string& execution_id) const {
    std::lock_guard lock(mutex_);
    const auto it = running_.find(execution_id);
    if (it == running_.end()) return std::nullopt;
    return it->second;
}

executor_stats executor_pool::stats() const { return {succeeded_.load(), failed_.load()}; }

std::vector<executor_pool::work_item> executor_pool::claim() {
    std::vector<work_item> claimed;
    std::unique_lock lock(mutex_);
    for (;;) {
        if (stopping_) return claimed;
        if (!in_memory_.empty()) {
            // In-memory executions first: a caller is waiting for each. seq 0 marks them.
            while (!in_memory_.empty() && claimed.size() < settings_.claim_batch) {
                auto id = in_memory_.front().record.id;
                claimed.push_back({0, std::move(id), std::move(in_memory_.front())});
                in_memory_.pop_front();
            }
            return claimed;
        }
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
            for (std::size_t i = 0; i < usable; ++i) {
                auto& entry = (*entries)[i];
                buffer_.push_back({entry.seq, std::move(entry.execution_id), std::nullopt});
            }
            continue;
        }
        wake_.wait(lock);
    }
}

void executor_pool::worker(std::uint32_t slot) {
    // Each executor thread has its own reply socket (ZeroMQ sockets are single-threaded).
    std::optional<transport::reply_sender> replies;
    if (settings_.reply_context) replies.emplace(*settings_.reply_context, settings_.reply_endpoint);
    std::function<void(transport::frames)> send_reply;
    if (replies) {
        send_reply = [&replies](transport::frames f) {
            if (!replies->send(std::move(f))) {
                std::fprintf(stderr, "ferry executor: a synchronous reply could not be sent\n");
            }
        };
    }
    for (;;) {
        auto items = claim();
        if (items.empty()) return;  // stopping
        if (items.front().seq == 0) {
            run_in_memory_batch(items, send_reply);
        } else {
            run_batch(slot, items, send_reply);
        }
    }
}

void executor_pool::run_batch(std::uint32_t slot, std::vector<work_item>& items,
                              const std::function<void(transport::frames)>& send_reply) {
    std::vector<store::execution_record> finished;
    finished.reserve(items.size());
    batch_output out;
    out.send_now = send_reply;
    auto& kept = out.kept;
    auto& started = out.started;
    std::vector<std::uint64_t> seqs;
    seqs.reserve(items.size());
    for (const auto& item : items) seqs.push_back(item.seq);
    if (auto noted = db_.record_running(slot, seqs); !noted) {
        // Only the crash accounting is lost; running is still right.
        std::fprintf(stderr, "ferry executor: cannot note running executions: %s\n",
                     noted.error().message().c_str());
    }
    const auto now = now_ms();
    {
        std::lock_guard lock(mutex_);
        for (const auto& item : items) running_.emplace(item.execution_id, now);
    }
    for (auto& item : items) {
        store::execution_record rec;
        std::vector<store::document> documents;
        // A streamed upload's documents are in the store, not in the intake's message.
        const bool loaded =
            item.loaded && item.loaded->arrives == store::new_execution::part::whole;
        if (item.loaded) {
            rec = std::move(item.loaded->record);
            documents = std::move(item.loaded->documents);
        } else if (auto stored = db_.read_execution(item.execution_id); stored) {
            rec = std::move(*stored);
        } else {
            std::fprintf(stderr, "ferry executor: execution %s unreadable: %s\n",
                         item.execution_id.c_str(), stored.error().message().c_str());
            rec.id = item.execution_id;
            rec.state = store::execution_state::failed;
            rec.error = "execution record unreadable: " + stored.error().message();
        }
        rec.pending_seq = item.seq;
        if (rec.state != store::execution_state::failed) {
            ++rec.attempts;
            rec.started_ms = now;
            rec.error.clear();
            if (rec.attempts > settings_.max_attempts) {
                rec.state = store::execution_state::failed;
                rec.error = "abandoned after " + std::to_string(settings_.max_attempts) +
                            " attempts that did not finish (the server stopped during each)";
            } else {
                rec.state = store::execution_state::running;
                run_one(rec, std::move(documents), loaded, out);
            }
        }
        if (rec.finished_ms == 0) rec.finished_ms = now_ms();
        (rec.state == store::execution_state::succeeded ? succeeded_ : failed_)
            .fetch_add(1, std::memory_order_relaxed);
        finished.push_back(std::move(rec));
    }
    keep_answers(out);
    if (auto done = db_.finish_executions(finished, kept, started); !done) {
        // The pending entries stay: these executions run again after a restart.
        std::fprintf(stderr, "ferry executor: cannot record the end of %zu executions: %s\n",
                     finished.size(), done.error().message().c_str());
    } else if (!started.empty()) {
        // Executions started by process_call run once durable; the sync makes them so (and
        // everything queued before them).
        if (auto synced = db_.sync(); synced) {
            notify(started.back().record.pending_seq);
        } else {
            std::fprintf(stderr, "ferry executor: cannot sync started executions: %s\n",
                         synced.error().message().c_str());
        }
    }
    // Synchronous callers get their replies once the outcome is recorded.
    if (send_reply) {
        for (auto& reply : out.replies) send_reply(std::move(reply));
    }
    std::lock_guard lock(mutex_);
    for (const auto& item : items) running_.erase(item.execution_id);
}

http_answer executor_pool::keep_reply(const process& p, const store::execution_record& rec,
                                      const run_outcome& outcome, batch_output& out) {
    auto pages = assemble_pages(p, rec.id, outcome, [] { return random_hex128(); });
    const auto now = now_ms();
    // The reply itself goes with the batch's other answers, in one write before the finish
    // (not for in-memory runs: nothing of them is stored).
    if (!out.in_memory) {
        out.answers.emplace_back("reply/" + rec.id,
                                 encode_kept_answer(now + settings_.reply_ttl_ms, rec.id, pages.first));
    }
    if (pages.later.empty()) return pages.first;
    // Later pages are written before the first page goes out, so that its link works at once.
    std::vector<std::pair<std::string, std::string>> later;
    later.reserve(pages.later.size());
    for (const auto& [token, page] : pages.later) {
        later.emplace_back("page/" + token,
                           encode_kept_answer(now + settings_.page_ttl_ms, rec.id, page));
    }
    if (auto written = db_.put_answers(later); !written) {
        run_outcome failed;
        failed.ok = false;
        failed.error = "the later pages of the reply could not be stored: " +
                       written.error().message();
        return assemble_reply(p, rec.id, failed);
    }
    return pages.first;
}

void executor_pool::keep_answers(batch_output& out) {
    if (out.answers.empty()) return;
    if (auto written = db_.put_answers(out.answers); !written) {
        std::fprintf(stderr, "ferry executor: cannot keep %zu replies for their status links: %s\n",
                     out.answers.size(), written.error().message().c_str());
    }
    out.answers.clear();
    // Expired answers go now and then, from whichever executor comes by.
    const auto now = now_ms();
    auto due = next_answer_sweep_ms_.load();
    if (now >= due && next_answer_sweep_ms_.compare_exchange_strong(due, now + 600'000)) {
        (void)db_.delete_expired_answers(now);
    }
}

void executor_pool::run_one(store::execution_record& rec, std::vector<store::document> documents,
                            bool loaded, batch_output& out) {
    auto& kept = out.kept;
    bool replied = false;
    auto fail = [&](std::string error) {
        rec.state = store::execution_state::failed;
        rec.error = std::move(error);
        rec.finished_ms = now_ms();
        // A synchronous caller hears of a failure before the run, too.
        if (!replied && !rec.reply_to.empty() && out.send_now) {
            run_outcome failed;
            failed.ok = false;
            failed.error = rec.error;
            process unknown;
            out.replies.push_back(encode_sync_reply(rec.reply_to, rec.id,
                                                    assemble_reply(unknown, rec.id, failed)));
        }
    };
    const auto p = processes_.get()->by_name(rec.process);
    if (!p) return fail("process '" + rec.process + "' is not deployed");

    if (!loaded) {
        documents.reserve(rec.document_ids.size());
        for (const auto& id : rec.document_ids) {
            auto doc = db_.read_document(id);
            if (!doc) return fail("document " + id + " unreadable: " + doc.error().message());
            documents.push_back(std::move(*doc));
        }
    }
    std::vector<working_document> working;
    working.reserve(documents.size());
    for (std::size_t i = 0; i < documents.size(); ++i) {
        working.push_back({std::move(documents[i]), i, {}});
    }
    // SPEC §5: general mode (or X-Debug) keeps every step's output; bridge keeps the trace.
    run_settings run;
    run.files_root = settings_.files_root;
    run.find_process = [registry = processes_.get()](std::string_view name) {
        return registry->by_name(name);
    };
    run.next_sequence = [this](std::string_view name) { return next_sequence(name); };
    run.keep_step_documents = rec.debug || p->mode == execution_mode::general;
    run.max_trace_entries = settings_.max_trace_entries;
    run.max_kept_documents = settings_.max_kept_documents;
    run.max_kept_bytes = settings_.max_kept_bytes;
    // A synchronous caller waits for this execution: its reply goes out when a respond: early
    // return step is reached, else once the execution is recorded.
    const bool answers = !rec.reply_to.empty() && p->listen.output != data_type::none &&
                         static_cast<bool>(out.send_now);
    bool answered_early = false;
    if (answers) {
        run.on_respond_early = [&](const std::vector<working_document>& returned) {
            answered_early = true;
            run_outcome early;
            early.returned = returned;
            out.send_now(encode_sync_reply(rec.reply_to, rec.id,
                                           keep_reply(*p, rec, early, out)));
        };
    }
    run_outcome outcome;
    try {
        outcome = run_process(*p, rec, std::move(working), run);
    } catch (const std::exception& e) {
        // A failure of the engine itself (a sequential value that cannot be reserved).
        return fail(e.what());
    }
    if (!answered_early && p->listen.output != data_type::none) {
        // Kept even when nobody waits any more: the caller may come back at the status link.
        auto answer = keep_reply(*p, rec, outcome, out);
        if (answers) out.replies.push_back(encode_sync_reply(rec.reply_to, rec.id, answer));
    }
    replied = answers;
    queue_started(rec, outcome.started, out.started);
    rec.trace.clear();
    rec.untraced_steps = outcome.untraced_steps;
    for (std::size_t i = 0; i < outcome.trace.size(); ++i) {
        auto& t = outcome.trace[i];
        store::step_record r{t.step,
                             t.kind,
                             t.documents_in,
                             t.documents_out,
                             t.documents_failed,
                             t.started_ms,
                             t.micros,
                             std::move(t.error),
                             {}};
        for (std::size_t j = 0; j < t.outputs.size(); ++j) {
            r.output_ids.push_back(rec.id + "-s" + std::to_string(i) + "-" + std::to_string(j));
            kept.emplace_back(r.output_ids.back(), std::move(t.outputs[j]));
        }
        rec.trace.push_back(std::move(r));
    }
    if (!outcome.ok) return fail("step '" + outcome.failed_step + "': " + outcome.error);
    rec.state = store::execution_state::succeeded;
    rec.finished_ms = now_ms();
}

void executor_pool::queue_started(const store::execution_record& parent,
                                  std::vector<started_execution>& from,
                                  std::vector<store::new_execution>& into) {
    thread_local id_generator ids;
    for (auto& s : from) {
        submission child;
        child.process = std::move(s.process);
        child.process_version = s.process_version;
        child.process_props = std::move(s.process_props);
        child.documents = std::move(s.documents);
        child.process_props["parent_execution"] = parent.id;
        auto execution = new_execution_of(std::move(child), ids.next(), now_ms());
        into.push_back(std::move(execution));
    }
}

}  // namespace ferry::engine
