#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::nats {

/// A message fetched from a pull consumer, leased until acknowledged (or its ack wait ends).
/// Exactly one of ack(), nak() or term() ends the lease; in_progress() extends it.
class message {
public:
    /// Takes a natsMsg* (the C client's) delivered to a pull_consumer of the natsConnection*
    /// `nats_connection` (acknowledgements go back over it).
    message(void* nats_msg, void* nats_connection, std::chrono::milliseconds ack_timeout);
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
    /// Done, without waiting for the server's confirmation: for a message whose effect is
    /// recorded already, so that a lost acknowledgement costs only a redelivery that finds it
    /// done.
    boost::system::result<void> ack_unconfirmed();
    /// Delivered again after `delay`.
    boost::system::result<void> nak(std::chrono::milliseconds delay);
    /// Still working on it: the ack wait starts again.
    boost::system::result<void> in_progress();
    /// Never delivered again.
    boost::system::result<void> term();

private:
    boost::system::result<void> reply(const char* body);

    void* msg_ = nullptr;
    void* nc_ = nullptr;
    std::chrono::milliseconds ack_timeout_{};
    std::uint64_t stream_seq_ = 0;
    std::uint64_t deliveries_ = 0;
};

/// A durable pull consumer bound to its stream (connection::pull()). Its fetches are plain
/// NATS requests to the consumer's "next messages" subject, answered on an inbox of its own:
/// the C client's own fetch cannot ask "what is there now" without waiting out its expiry
/// (nats-server 2.9 answers a no-wait request that has an expiry only once that passed, and
/// the client gives one to every request it waits for).
///
/// Concurrency: one thread at a time.
class pull_consumer {
public:
    /// `nats_subscription` (taken) is a plain subscription on `inbox`; `next_subject` the
    /// consumer's "$JS.API.CONSUMER.MSG.NEXT.<stream>.<durable>".
    pull_consumer(void* nats_connection, void* nats_subscription, std::string inbox,
                  std::string next_subject, std::chrono::milliseconds request_timeout);
    ~pull_consumer();
    pull_consumer(const pull_consumer&) = delete;
    pull_consumer& operator=(const pull_consumer&) = delete;

    /// Up to `max` messages, waiting up to `wait` for the first; empty when none came. A `wait`
    /// of 0 takes what the stream holds for it now.
    boost::system::result<std::vector<message>> fetch(int max, std::chrono::milliseconds wait);

private:
    /// Asks the server for up to `batch` more (waiting up to `wait` for all of them; 0: what
    /// is there now) and adds what came to `out`.
    boost::system::result<void> ask(std::vector<message>& out, int batch,
                                    std::chrono::milliseconds wait);
    /// Adds a stream message to `out`; false for the status that ends a request.
    bool keep(std::vector<message>& out, void* nats_msg);

    void* nc_ = nullptr;
    void* sub_ = nullptr;
    std::string inbox_;
    std::string next_subject_;
    std::chrono::milliseconds request_timeout_{};
};

}  // namespace ferry::nats
