#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "execute/execution_backend.hpp"
#include "ferry/transport/frames.hpp"
#include "workers/worker_protocol.hpp"

namespace ferry::engine {

/// The executions a serving process leased to this `ferry worker`, as the execution backend
/// of the worker's executor loops: a claim takes work that arrived, a finish turns outcomes
/// into a `results` message for the serving process (which records them). The worker's feed
/// thread puts arriving work in and takes the messages out.
///
/// How much more the worker asks for (room()): executions received and not yet started stay
/// under `prefetch`, and everything held (received, running or waiting) under `max_held`.
///
/// Concurrency: every member is thread-safe. wake_fd() becomes readable when there are
/// messages to send or room changed (the feed thread waits on it).
class leased_work final : public execution_backend {
public:
    struct limits {
        std::size_t prefetch = 1024;
        std::size_t max_held = 4096;
    };
    /// What the executions of one claim run with.
    struct lease_info {
        std::string generation;  // of the deployed definitions
        execution_limits limits;
    };

    leased_work(std::string worker_id, limits l);
    ~leased_work() override;
    leased_work(const leased_work&) = delete;
    leased_work& operator=(const leased_work&) = delete;

    /// Work that arrived (the feed thread).
    void add(worker_protocol::work batch);
    /// A message for the serving process (an early reply), sent in order with the results.
    void send(transport::frames message);
    /// Messages for the serving process, oldest first; put_back() returns those that could
    /// not be sent yet, to go first next time.
    std::vector<transport::frames> take_outgoing();
    void put_back(std::vector<transport::frames> unsent);
    /// Executions that may be asked for now, besides those asked for already.
    std::size_t room() const;
    /// Executions received and not claimed yet, and claimed and not finished.
    struct counts {
        std::size_t arrived = 0;
        std::size_t held = 0;
    };
    counts count() const;
    /// Nothing received, running or waiting here, and nothing left to send.
    bool idle() const;
    int wake_fd() const { return wake_fd_; }
    /// Drains wake_fd().
    void woken() const;
    std::optional<lease_info> info(std::uint64_t lease) const;

    // execution_backend
    execution_lease claim(const claim_request& request) override;
    bool extend(std::uint64_t lease, std::chrono::milliseconds lease_for) override;
    boost::system::result<finish_report> finish(std::span<const std::uint64_t> leases,
                                                std::span<const store::execution_record> records,
                                                execution_output& out,
                                                const claim_request* then_claim) override;
    void release(std::uint64_t lease, std::chrono::milliseconds delay) override;
    std::uint64_t on_new_work(std::function<void()> signal) override;
    void stop_signalling(std::uint64_t id) override;
    void keep_answers(kept_answers& answers) override;
    boost::system::result<std::uint64_t> reserve_sequence(std::string_view name,
                                                          std::uint64_t count) override;
    void stop() override;

private:
    /// An execution received and not claimed yet, with the terms of the message it came in.
    struct arrival {
        std::shared_ptr<const lease_info> terms;
        worker_protocol::leased_execution execution;
    };
    struct held_lease {
        lease_info info;
        std::unordered_map<std::string, std::uint64_t> tokens;  // execution id -> work lease
    };
    execution_lease claim_locked(std::size_t max);
    void wake() const;
    void signal_work();

    const std::string worker_id_;
    const limits limits_;
    int wake_fd_ = -1;

    mutable std::mutex mutex_;
    std::deque<arrival> arrived_;
    std::unordered_map<std::uint64_t, held_lease> leases_;
    std::size_t held_ = 0;  // executions claimed by the loops, not yet finished
    std::deque<transport::frames> outgoing_;
    std::uint64_t next_lease_ = 0;
    bool stopping_ = false;
    std::map<std::uint64_t, std::function<void()>> signals_;
    std::uint64_t next_signal_ = 0;
};

}  // namespace ferry::engine
