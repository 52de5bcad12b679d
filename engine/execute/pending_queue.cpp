#include "execute/pending_queue.hpp"

#include <algorithm>
#include <unordered_set>

#include "clock.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine {
namespace {

constexpr std::size_t read_ahead = 256;

}  // namespace

void pending_queue::start() {
    // Before anything is claimed: what the previous server was running when it stopped gets
    // its interrupted attempt counted, so that an execution that kills the server is given up.
    if (auto counted = db_.recover_interrupted(); !counted) {
        log::error("executor", "cannot count interrupted executions",
                   {{"error", counted.error().message()}});
    } else if (*counted > 0) {
        log::warn("executor", "executions were interrupted; running them again",
                  {{"executions", std::to_string(*counted)}});
    }
    std::lock_guard lock(mutex_);
    known_seq_ = db_.last_seq();
    stopping_ = false;
}

void pending_queue::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
}

void pending_queue::notify(std::uint64_t committed_seq, std::vector<store::new_execution> fresh) {
    {
        std::lock_guard lock(mutex_);
        if (committed_seq <= known_seq_) return;
        // Take the handed-over executions only when they are exactly the next entries the
        // cursor would read and there is room; otherwise claims read them from the store.
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
    signal_work();
}

bool pending_queue::run_in_memory(store::new_execution execution) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || in_memory_.size() >= settings_.handoff_limit) return false;
        in_memory_.push_back(std::move(execution));
    }
    wake_.notify_one();
    signal_work();
    return true;
}

std::optional<std::int64_t> pending_queue::running_since(const std::string& execution_id) const {
    std::lock_guard lock(mutex_);
    const auto it = running_.find(execution_id);
    if (it == running_.end()) return std::nullopt;
    return it->second;
}

std::size_t pending_queue::running() const {
    std::lock_guard lock(mutex_);
    return running_.size();
}

std::uint64_t pending_queue::backlog() const {
    std::lock_guard lock(mutex_);
    const auto unread = known_seq_ + 1 > cursor_ ? known_seq_ + 1 - cursor_ : 0;
    return unread + buffer_.size() + again_.size();
}

std::uint64_t pending_queue::on_new_work(std::function<void()> signal) {
    std::lock_guard lock(mutex_);
    auto signals = std::make_shared<work_signals>(*work_signals_);
    signals->emplace_back(++next_signal_, std::move(signal));
    work_signals_ = std::move(signals);
    return next_signal_;
}

void pending_queue::stop_signalling(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    auto signals = std::make_shared<work_signals>(*work_signals_);
    std::erase_if(*signals, [id](const auto& s) { return s.first == id; });
    work_signals_ = std::move(signals);
}

void pending_queue::signal_work() {
    std::shared_ptr<const work_signals> signals;
    {
        std::lock_guard lock(mutex_);
        signals = work_signals_;
    }
    for (const auto& [id, signal] : *signals) signal();
}

execution_lease pending_queue::claim(const claim_request& request) {
    std::vector<work_item> items;
    execution_lease out;
    std::vector<std::uint64_t> note;
    std::int64_t started = 0;
    {
        std::unique_lock lock(mutex_);
        items = take_locked(lock, request.max, request.wait);
        if (items.empty()) return {};
        started = now_ms();  // after the wait for work
        out.id = open_lease_locked(request, items, started);
        const bool stored =
            std::any_of(items.begin(), items.end(), [](const work_item& i) { return i.seq != 0; });
        if (stored && request.noted) {
            note = claimed_seqs_locked(request.claimer);
            unnoted_.erase(request.claimer);
        }
    }
    if (!note.empty()) {
        if (auto noted = db_.record_running(request.claimer, note); !noted) {
            // Only the crash accounting is lost; the claim itself stands.
            log::error("executor", "cannot note running executions",
                       {{"error", noted.error().message()}});
        }
    }
    out.executions = prepare(items, started, request.stored_form);
    return out;
}

std::uint64_t pending_queue::open_lease_locked(const claim_request& request,
                                               const std::vector<work_item>& items,
                                               std::int64_t started) {
    const auto id = ++next_lease_;
    auto& l = leases_[id];
    l.claimer = request.claimer;
    l.noted = request.noted;
    if (request.lease_for.count() > 0) l.expires = steady::now() + request.lease_for;
    l.executions.reserve(items.size());
    for (const auto& item : items) {
        held h{item.seq, item.execution_id, item.attempts, std::nullopt};
        if (item.seq != 0) {
            running_.emplace(item.execution_id, started);
        } else if (l.expires && item.loaded) {
            h.in_memory = item.loaded->record;  // to fail it if the lease is lost
        }
        l.executions.push_back(std::move(h));
    }
    return id;
}

std::vector<pending_queue::work_item> pending_queue::take_locked(std::unique_lock<std::mutex>& lock,
                                                                 std::size_t max, bool wait) {
    std::vector<work_item> taken;
    for (;;) {
        if (stopping_ || max == 0) return taken;
        const auto now = steady::now();
        expire_locked(now);
        if (!in_memory_.empty()) {
            // In-memory executions first: a caller is waiting for each. seq 0 marks them.
            while (!in_memory_.empty() && taken.size() < max) {
                auto id = in_memory_.front().record.id;
                taken.push_back({0, std::move(id), std::move(in_memory_.front())});
                in_memory_.pop_front();
            }
            return taken;
        }
        // Given back and due: before new work, they have waited longest.
        std::optional<steady::time_point> next_due;
        for (auto it = again_.begin(); it != again_.end() && taken.size() < max;) {
            if (it->not_before > now) {
                next_due = next_due ? std::min(*next_due, it->not_before) : it->not_before;
                ++it;
                continue;
            }
            taken.push_back(std::move(*it));
            it = again_.erase(it);
        }
        if (!taken.empty()) return taken;
        if (!buffer_.empty()) {
            while (!buffer_.empty() && taken.size() < max) {
                taken.push_back(std::move(buffer_.front()));
                buffer_.pop_front();
            }
            return taken;
        }
        if (cursor_ <= known_seq_) {
            // One reader at a time under the lock keeps the cursor simple; the read is a
            // short seek in RocksDB, mostly in the memtable.
            auto entries = db_.read_pending(cursor_, read_ahead);
            if (!entries) {
                if (!wait) return taken;
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
        if (!wait) return taken;
        // Leases that can expire and work given back for later wake the wait when due.
        for (const auto& [id, l] : leases_) {
            if (l.expires) next_due = next_due ? std::min(*next_due, *l.expires) : *l.expires;
        }
        if (next_due) {
            wake_.wait_until(lock, *next_due);
        } else {
            wake_.wait(lock);
        }
    }
}

void pending_queue::expire_locked(steady::time_point now) {
    for (auto it = leases_.begin(); it != leases_.end();) {
        if (!it->second.expires || *it->second.expires > now) {
            ++it;
            continue;
        }
        log::warn("executor", "a lease expired; its executions run again",
                  {{"executions", std::to_string(it->second.executions.size())}});
        give_back_locked(it->second, now);
        it = leases_.erase(it);
    }
}

// Each execution of the lease is claimable again from `not_before` on, its lost attempt
// counted. Nothing of an in-memory execution is stored: it comes back to be failed.
void pending_queue::give_back_locked(lease_state& l, steady::time_point not_before) {
    for (auto& h : l.executions) {
        if (h.seq != 0 && l.noted) unnoted_.insert(l.claimer);  // its note still names them
        running_.erase(h.execution_id);
        work_item item{h.seq, std::move(h.execution_id), std::nullopt, h.attempts + 1, not_before};
        if (h.seq == 0) {
            if (!h.in_memory) continue;  // held until finished: cannot be failed from here
            item.loaded.emplace();
            item.loaded->record = std::move(*h.in_memory);
        }
        again_.push_back(std::move(item));
    }
    wake_.notify_all();
}

std::vector<std::uint64_t> pending_queue::claimed_seqs_locked(std::uint32_t claimer) const {
    std::vector<std::uint64_t> seqs;
    for (const auto& [id, l] : leases_) {
        if (l.claimer != claimer || !l.noted) continue;
        for (const auto& h : l.executions) {
            if (h.seq != 0) seqs.push_back(h.seq);
        }
    }
    std::sort(seqs.begin(), seqs.end());
    return seqs;
}

bool pending_queue::extend(std::uint64_t lease, std::chrono::milliseconds lease_for) {
    std::lock_guard lock(mutex_);
    const auto it = leases_.find(lease);
    if (it == leases_.end()) return false;
    if (lease_for.count() > 0) {
        it->second.expires = steady::now() + lease_for;
    } else {
        it->second.expires.reset();
    }
    return true;
}

void pending_queue::release(std::uint64_t lease, std::chrono::milliseconds delay) {
    {
        std::lock_guard lock(mutex_);
        const auto it = leases_.find(lease);
        if (it == leases_.end()) return;
        give_back_locked(it->second, steady::now() + delay);
        leases_.erase(it);
    }
    signal_work();
}

boost::system::result<finish_report> pending_queue::finish(
    std::span<const std::uint64_t> leases, std::span<const store::execution_record> records,
    execution_output& out, const claim_request* then_claim) {
    keep_answers(out.answers);
    finish_report report;
    std::vector<store::execution_record> kept_records;
    std::span<const store::execution_record> to_write;
    store::encoded_outcomes kept_encoded;
    const store::encoded_outcomes* encoded_to_write = &out.encoded;
    std::optional<store::store::running_note> note;
    // The executions of `records` (and of out.encoded) still held by `leases` (views into
    // them, which outlive this call). Those whose lease was lost run elsewhere now: their
    // outcome here is dropped.
    std::unordered_set<std::string_view> finishing;
    struct damaged_record {
        std::string id;
        std::uint64_t seq = 0;
        std::string reason;
    };
    std::vector<damaged_record> set_aside;
    {
        std::unique_lock lock(mutex_);
        std::unordered_set<std::string_view> recorded;
        for (const auto& rec : records) recorded.insert(rec.id);
        for (const auto& rec : out.encoded.records) recorded.insert(rec.id);
        std::uint32_t claimer = then_claim ? then_claim->claimer : 0;
        bool have_claimer = then_claim != nullptr && then_claim->noted;
        for (const auto id : leases) {
            const auto it = leases_.find(id);
            if (it == leases_.end()) continue;
            if (!have_claimer && it->second.noted) {
                claimer = it->second.claimer;
                have_claimer = true;
            }
            for (const auto& h : it->second.executions) {
                if (const auto r = recorded.find(h.execution_id); r != recorded.end()) {
                    finishing.insert(*r);
                }
            }
        }
        for (const auto id : leases) {
            const auto it = leases_.find(id);
            if (it == leases_.end()) continue;
            // Their work is done: only the write remains, which may be retried (a full
            // disk). Nobody else may run them meanwhile.
            const auto& held = it->second.executions;
            if (std::all_of(held.begin(), held.end(),
                            [&](const auto& h) { return finishing.contains(h.execution_id); })) {
                it->second.expires.reset();
            }
        }
        // A record that could not be read is not written over (damaged_): set aside below.
        for (const auto& rec : records) {
            const auto damaged = damaged_.find(rec.id);
            if (damaged == damaged_.end() || !finishing.contains(rec.id)) continue;
            set_aside.push_back({rec.id, rec.pending_seq, damaged->second});
            damaged_.erase(damaged);
        }
        // Usually every record is written as it is; a copy only leaves some out.
        const auto writes = [&](const auto& rec) {
            return rec.pending_seq != 0 && finishing.contains(rec.id) &&
                   std::none_of(set_aside.begin(), set_aside.end(),
                                [&](const auto& aside) { return aside.id == rec.id; });
        };
        const bool write_all = std::all_of(records.begin(), records.end(), writes);
        const bool write_all_encoded =
            std::all_of(out.encoded.records.begin(), out.encoded.records.end(), writes);
        for (const auto& rec : records) {
            if (!finishing.contains(rec.id)) {
                report.dropped.push_back(rec.id);
            } else if (writes(rec) && !write_all) {
                kept_records.push_back(rec);
            }
        }
        to_write = write_all ? records : std::span<const store::execution_record>(kept_records);
        if (!write_all_encoded) {
            for (const auto& rec : out.encoded.records) {
                if (!finishing.contains(rec.id)) {
                    report.dropped.push_back(rec.id);
                } else if (rec.pending_seq != 0) {
                    kept_encoded.records.push_back(rec);
                }
            }
            kept_encoded.documents = out.encoded.documents;
            encoded_to_write = &kept_encoded;
        }
        if (then_claim && !stopping_) {
            auto items = take_locked(lock, then_claim->max, false);
            if (!items.empty()) {
                // Noted below, in the finishing write.
                const auto started = now_ms();
                report.next.id = open_lease_locked(*then_claim, items, started);
                // Prepared with the lock released (it reads the store).
                lock.unlock();
                report.next.executions = prepare(items, started, then_claim->stored_form);
                lock.lock();
            }
        }
        if (have_claimer && (report.next.id != 0 || unnoted_.contains(claimer))) {
            // What the claimer runs once these executions end: the rest of what it holds,
            // and the next lease.
            std::vector<std::uint64_t> seqs;
            for (const auto& [id, l] : leases_) {
                if (l.claimer != claimer || !l.noted) continue;
                for (const auto& h : l.executions) {
                    if (h.seq != 0 && !finishing.contains(h.execution_id)) seqs.push_back(h.seq);
                }
            }
            std::sort(seqs.begin(), seqs.end());
            note = store::store::running_note{claimer, std::move(seqs)};
        }
    }
    for (const auto& damaged : set_aside) {
        if (auto aside = db_.set_aside_damaged(damaged.id, damaged.seq, damaged.reason); !aside) {
            // Left pending: the next claim meets it again and tries again.
            log::error("executor", "cannot set aside a damaged execution",
                       {{"execution_id", damaged.id}, {"error", aside.error().message()}});
        } else {
            log::error("executor", "a damaged execution was set aside (see ferry check)",
                       {{"execution_id", damaged.id}, {"reason", damaged.reason}});
        }
    }
    if (!to_write.empty() || !encoded_to_write->records.empty() || !out.started.empty() ||
        !out.dead.empty() || note) {
        const auto written = db_.finish_executions(to_write, out.kept, out.started, out.dead,
                                                   note ? &*note : nullptr, encoded_to_write);
        if (!written) {
            // Nothing was written: the leases stay to be finished again, the next one goes
            // back to be claimed again (no attempt counted: it never ran).
            std::lock_guard lock(mutex_);
            if (report.next.id != 0) {
                leases_.erase(report.next.id);
                // Last first, so that pushing each to the front keeps their order.
                auto& claimed = report.next.executions;
                for (auto i = claimed.size(); i-- > 0;) {
                    auto& e = claimed[i];
                    running_.erase(e.record.id);
                    if (e.in_memory()) {
                        store::new_execution back;
                        back.record = std::move(e.record);
                        back.documents = std::move(e.documents);
                        in_memory_.push_front(std::move(back));
                    } else {
                        again_.push_front({e.seq, e.record.id, std::nullopt, 0, {}});
                    }
                }
            }
            wake_.notify_all();
            return written.error();
        }
    }
    {
        std::lock_guard lock(mutex_);
        for (const auto id : leases) {
            const auto it = leases_.find(id);
            if (it == leases_.end()) continue;
            auto& held = it->second.executions;
            std::erase_if(held, [&](const auto& h) {
                if (!finishing.contains(h.execution_id)) return false;
                running_.erase(h.execution_id);
                return true;
            });
            if (held.empty()) leases_.erase(it);
        }
        if (note) unnoted_.erase(note->slot);
    }
    queue_started(out.started);
    return report;
}

void pending_queue::queue_started(std::span<const store::new_execution> started) {
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

void pending_queue::keep_answers(kept_answers& answers) {
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

boost::system::result<std::uint64_t> pending_queue::reserve_sequence(std::string_view name,
                                                                     std::uint64_t count) {
    return db_.reserve_sequence(name, count);
}

}  // namespace ferry::engine
