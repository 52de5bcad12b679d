#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::nats {

/// How to reach a NATS cluster.
struct connection_settings {
    /// nats://host:port (tls://host:port with TLS); the client connects to one and moves to
    /// another when it goes away.
    std::vector<std::string> urls;
    std::string name;  // shown by the servers (`nats server report connections`)
    std::chrono::milliseconds connect_timeout{2000};
    /// JetStream API calls and publish acknowledgements wait this long.
    std::chrono::milliseconds request_timeout{5000};
    std::string credentials_file;  // a .creds file (JWT and seed), when the cluster wants one
    std::string user;
    std::string password;
    std::string ca_file;    // set: TLS, servers verified against these CAs
    std::string cert_file;  // TLS client certificate and its key, when the cluster wants one
    std::string key_file;
};

struct stream_settings {
    std::string name;
    std::vector<std::string> subjects;
    int replicas = 1;
    /// Publishes with a message id seen within this window are acknowledged as duplicates and
    /// not stored again.
    std::chrono::milliseconds duplicate_window{std::chrono::minutes(2)};
    /// Work-queue retention: a message leaves the stream once acknowledged.
    bool work_queue = false;
    /// Messages may be read from any replica (next_message()), not only through the leader.
    bool allow_direct = false;
};

/// What a stream holds, and where.
struct stream_state {
    std::uint64_t messages = 0;
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;
    int replicas = 0;
    std::string leader;  // the server leading the stream's group (empty outside a cluster)
};

struct publish_ack {
    std::uint64_t seq = 0;   // the message's place in the stream
    bool duplicate = false;  // the stream held a message with this id already: not stored again
};

/// A message for publish_batch().
struct outgoing_message {
    std::string subject{};
    std::string data{};
    std::string message_id{};  // Nats-Msg-Id ("" for none)
    std::vector<std::pair<std::string, std::string>> headers{};
};

/// A durable pull consumer: who fetches from it leases what it gets until acknowledged, or
/// for `ack_wait` (then it is delivered again, up to `max_deliver` times).
struct consumer_settings {
    std::string stream;
    std::string durable;
    std::string subject;  // what it takes of the stream ("runs.>": every run)
    std::chrono::milliseconds ack_wait{std::chrono::seconds(30)};
    int max_deliver = -1;  // -1: no limit
    /// Delivered and not yet acknowledged, over every process bound to it (0: the server's
    /// default, 1000): more waits until some are acknowledged.
    int max_ack_pending = 0;
};

/// Where a durable consumer stands.
struct consumer_state {
    std::uint64_t pending = 0;      // in the stream for it, not delivered yet
    std::uint64_t ack_pending = 0;  // delivered, not yet acknowledged (leased)
    std::uint64_t redelivered = 0;  // of those, delivered more than once
    /// How long it waits for an acknowledgement before delivering again (as created: a
    /// process binding to it later may have asked for another).
    std::chrono::milliseconds ack_wait{0};
};

/// The last message on a subject, and its place in the stream (for a compare-and-set publish).
struct stored_message {
    std::string data;
    std::uint64_t seq = 0;
    std::string subject;
};

/// Header of a publish that the stream takes only while the subject's last message has this
/// sequence ("0": only when the subject has none, a create).
inline constexpr const char* expected_last_subject_seq = "Nats-Expected-Last-Subject-Sequence";

class pull_consumer;
class subscription;
class kv_bucket;
struct bucket_settings;

/// One connection to a NATS cluster, with its JetStream context.
///
/// Concurrency: thread-safe (the C client's connection is); a pull_consumer is not.
class connection {
public:
    /// Connects to one of `settings.urls` (each tried once, in random order).
    static boost::system::result<std::unique_ptr<connection>> open(
        const connection_settings& settings);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Creates the stream unless it exists (then returns its state as it is). Retried while
    /// the cluster cannot answer yet (starting, electing), for up to `patience`.
    boost::system::result<stream_state> ensure_stream(
        const stream_settings& settings,
        std::chrono::milliseconds patience = std::chrono::seconds(10));
    boost::system::result<stream_state> stream(const std::string& name);
    /// Publishes and waits for the stream's acknowledgement (in a cluster: once a majority of
    /// the stream's replicas hold it). `message_id` (Nats-Msg-Id) makes a repeat a duplicate.
    boost::system::result<publish_ack> publish(
        std::string_view subject, std::string_view data, const std::string& message_id,
        const std::vector<std::pair<std::string, std::string>>& headers = {});
    /// Publishes every message at once and waits (up to the request timeout) for the stream's
    /// acknowledgement of each: one result per message, in order (a message not acknowledged
    /// in time has the client's timeout error). An error only when nothing could be sent.
    boost::system::result<std::vector<boost::system::result<publish_ack>>> publish_batch(
        const std::vector<outgoing_message>& messages);
    /// The last message of `stream` on `subject`; nullopt when there is none.
    boost::system::result<std::optional<stored_message>> last_message(const std::string& stream,
                                                                      const std::string& subject);
    /// The first message of `stream` on `subject` (wildcards allowed) at or after `from_seq`,
    /// read from any replica (the stream needs stream_settings::allow_direct); nullopt when
    /// there is none.
    boost::system::result<std::optional<stored_message>> next_message(const std::string& stream,
                                                                      const std::string& subject,
                                                                      std::uint64_t from_seq);
    /// Removes one message from a stream. A message already gone is no error.
    boost::system::result<void> delete_message(const std::string& stream, std::uint64_t seq);
    /// How many messages `stream` holds on each subject matching `filter`, by subject.
    boost::system::result<std::vector<std::pair<std::string, std::uint64_t>>> subject_counts(
        const std::string& stream, const std::string& filter);
    boost::system::result<consumer_state> consumer(const std::string& stream,
                                                   const std::string& durable);
    /// Binds to the durable consumer, creating it unless it exists (then its settings stay
    /// as they are). Retried while the cluster cannot answer yet (a stream just created still
    /// electing its leaders), for up to `patience`.
    boost::system::result<std::unique_ptr<pull_consumer>> pull(
        const consumer_settings& settings,
        std::chrono::milliseconds patience = std::chrono::seconds(10));
    /// Binds to the key-value bucket, creating it unless it exists (retried while the cluster
    /// cannot answer yet, for up to `patience`).
    boost::system::result<std::unique_ptr<kv_bucket>> bucket(
        const bucket_settings& settings,
        std::chrono::milliseconds patience = std::chrono::seconds(10));
    /// A plain NATS message to whoever listens now (at most once, nothing stored): a hint,
    /// such as "new work", never data.
    boost::system::result<void> publish_hint(const std::string& subject);
    /// A plain NATS message with data (at most once, nothing stored).
    boost::system::result<void> publish_plain(const std::string& subject, std::string_view data);
    /// Calls `on_message` (on the client's own thread, one message at a time) for every plain
    /// message on `subject` until the subscription goes.
    boost::system::result<std::unique_ptr<subscription>> subscribe(
        const std::string& subject, std::function<void(std::string_view data)> on_message);
    /// Whether the connection is up now (the client reconnects on its own otherwise).
    bool connected() const;

private:
    struct handles;
    explicit connection(std::unique_ptr<handles> h);
    std::unique_ptr<handles> h_;
};

}  // namespace ferry::nats
