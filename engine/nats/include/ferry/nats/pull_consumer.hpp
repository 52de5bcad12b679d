#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace ferry::nats {

/// A message fetched from a pull consumer, leased until acknowledged (or its ack wait ends).
/// Exactly one of ack(), nak() or term() ends the lease; in_progress() extends it.
class message {
public:
    /// Takes a natsMsg* (the C client's) and its delivery metadata.
    explicit message(void* nats_msg);
    ~message();
    message(message&& other) noexcept;
    message& operator=(message&& other) noexcept;
    message(const message&) = delete;
    message& operator=(const message&) = delete;

    std::string_view subject() const;
    std::string_view data() const;
    std::optional<std::string_view> header(const char* name) const;
    std::uint64_t stream_seq() const { return stream_seq_; }
    /// 1 on the first delivery, 2 on the first redelivery, ...
    std::uint64_t deliveries() const { return deliveries_; }

    /// Done; waits for the server to confirm (so that the message is not delivered again).
    boost::system::result<void> ack();
    /// Delivered again after `delay`.
    boost::system::result<void> nak(std::chrono::milliseconds delay);
    /// Still working on it: the ack wait starts again.
    boost::system::result<void> in_progress();
    /// Never delivered again.
    boost::system::result<void> term();

private:
    void* msg_ = nullptr;
    std::uint64_t stream_seq_ = 0;
    std::uint64_t deliveries_ = 0;
};

/// A durable pull consumer bound to its stream (connection::pull()).
///
/// Concurrency: one thread at a time.
class pull_consumer {
public:
    explicit pull_consumer(void* nats_subscription);
    ~pull_consumer();
    pull_consumer(const pull_consumer&) = delete;
    pull_consumer& operator=(const pull_consumer&) = delete;

    /// Up to `max` messages, waiting up to `wait` for the first; empty when none came.
    boost::system::result<std::vector<message>> fetch(int max, std::chrono::milliseconds wait);

private:
    void* sub_ = nullptr;
};

}  // namespace ferry::nats
