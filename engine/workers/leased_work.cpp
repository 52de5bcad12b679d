#include "workers/leased_work.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

namespace ferry::engine {
namespace proto = worker_protocol;

leased_work::leased_work(std::string worker_id, limits l)
    : worker_id_(std::move(worker_id)),
      limits_(l),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

leased_work::~leased_work() {
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void leased_work::wake() const {
    const std::uint64_t one = 1;
    (void)::write(wake_fd_, &one, sizeof one);
}

void leased_work::woken() const {
    std::uint64_t drained = 0;
    (void)::read(wake_fd_, &drained, sizeof drained);
}

void leased_work::signal_work() {
    std::vector<std::function<void()>> signals;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, signal] : signals_) signals.push_back(signal);
    }
    for (const auto& signal : signals) signal();
}

void leased_work::add(proto::work batch) {
    const auto terms = std::make_shared<const lease_info>(
        lease_info{std::move(batch.generation), std::move(batch.limits)});
    {
        std::lock_guard lock(mutex_);
        for (auto& e : batch.executions) arrived_.push_back({terms, std::move(e)});
    }
    signal_work();
}

void leased_work::send(transport::frames message) {
    {
        std::lock_guard lock(mutex_);
        outgoing_.push_back(std::move(message));
    }
    wake();
}

std::vector<transport::frames> leased_work::take_outgoing() {
    std::lock_guard lock(mutex_);
    std::vector<transport::frames> out(std::make_move_iterator(outgoing_.begin()),
                                       std::make_move_iterator(outgoing_.end()));
    outgoing_.clear();
    return out;
}

void leased_work::put_back(std::vector<transport::frames> unsent) {
    std::lock_guard lock(mutex_);
    outgoing_.insert(outgoing_.begin(), std::make_move_iterator(unsent.begin()),
                     std::make_move_iterator(unsent.end()));
}

std::size_t leased_work::room() const {
    std::lock_guard lock(mutex_);
    if (stopping_) return 0;
    const auto queued = arrived_.size();
    const auto held = held_ + queued;
    const auto to_queue = limits_.prefetch > queued ? limits_.prefetch - queued : 0;
    const auto to_hold = limits_.max_held > held ? limits_.max_held - held : 0;
    return std::min(to_queue, to_hold);
}

leased_work::counts leased_work::count() const {
    std::lock_guard lock(mutex_);
    return {arrived_.size(), held_};
}

bool leased_work::idle() const {
    std::lock_guard lock(mutex_);
    return arrived_.empty() && held_ == 0 && outgoing_.empty();
}

std::optional<leased_work::lease_info> leased_work::info(std::uint64_t lease) const {
    std::lock_guard lock(mutex_);
    const auto it = leases_.find(lease);
    if (it == leases_.end()) return std::nullopt;
    return it->second.info;
}

execution_lease leased_work::claim(const claim_request& request) {
    execution_lease out;
    {
        std::lock_guard lock(mutex_);
        out = claim_locked(request.max);
    }
    if (!out.empty()) wake();  // room for more
    return out;
}

execution_lease leased_work::claim_locked(std::size_t max) {
    execution_lease out;
    if (stopping_ || arrived_.empty()) return out;
    out.id = ++next_lease_;
    auto& held = leases_[out.id];
    // One claim runs with one generation of the definitions.
    held.info = *arrived_.front().terms;
    while (!arrived_.empty() && out.executions.size() < max &&
           arrived_.front().terms->generation == held.info.generation) {
        auto w = std::move(arrived_.front().execution);
        arrived_.pop_front();
        held.tokens.emplace(w.record.id, w.lease);
        claimed_execution claimed;
        claimed.seq = w.in_memory ? 0 : w.lease;  // 0 marks in-memory executions
        claimed.record = std::move(w.record);
        claimed.documents = std::move(w.documents);
        out.executions.push_back(std::move(claimed));
    }
    held_ += out.executions.size();
    return out;
}

bool leased_work::extend(std::uint64_t lease, std::chrono::milliseconds) {
    std::lock_guard lock(mutex_);
    return leases_.contains(lease);  // the serving process keeps the real lease alive
}

boost::system::result<finish_report> leased_work::finish(
    std::span<const std::uint64_t> leases, std::span<const store::execution_record> records,
    execution_output& out, const claim_request* then_claim) {
    finish_report report;
    std::vector<std::uint64_t> tokens;
    tokens.reserve(records.size());
    {
        std::lock_guard lock(mutex_);
        for (const auto& rec : records) {
            std::uint64_t token = 0;  // unknown: the serving process drops it
            for (const auto id : leases) {
                const auto it = leases_.find(id);
                if (it == leases_.end()) continue;
                if (const auto t = it->second.tokens.find(rec.id); t != it->second.tokens.end()) {
                    token = t->second;
                    it->second.tokens.erase(t);
                    if (it->second.tokens.empty()) leases_.erase(it);
                    break;
                }
            }
            tokens.push_back(token);
        }
        held_ -= std::min(held_, records.size());
        proto::worker_header h;
        h.what = proto::kind::results;
        h.worker_id = worker_id_;
        h.count = records.size();
        outgoing_.push_back({proto::encode_header(h), proto::encode_results(tokens, records, out)});
        if (then_claim) report.next = claim_locked(then_claim->max);
    }
    wake();
    return report;
}

void leased_work::release(std::uint64_t lease, std::chrono::milliseconds) {
    // Not used by the loops; the serving process takes back what a stopped worker held.
    std::lock_guard lock(mutex_);
    if (const auto it = leases_.find(lease); it != leases_.end()) {
        held_ -= std::min(held_, it->second.tokens.size());
        leases_.erase(it);
    }
}

std::uint64_t leased_work::on_new_work(std::function<void()> signal) {
    std::lock_guard lock(mutex_);
    signals_.emplace(++next_signal_, std::move(signal));
    return next_signal_;
}

void leased_work::stop_signalling(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    signals_.erase(id);
}

// Pages of early replies travel with them (send()); those of final replies with the results.
void leased_work::keep_answers(kept_answers&) {}

boost::system::result<std::uint64_t> leased_work::reserve_sequence(std::string_view,
                                                                   std::uint64_t) {
    // A worker's executions ask the serving process through their run host.
    return boost::system::errc::make_error_code(boost::system::errc::operation_not_supported);
}

void leased_work::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake();
}

}  // namespace ferry::engine
