#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "execute/executor_host.hpp"
#include "ferry/nats/connection.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::engine::cluster {

// Synchronous replies across a cluster: the node holding the caller's connection names
// itself in the reply's correlation id ("<node token>/<random>"), and whoever runs the
// execution sends the reply to that node's reply subject; the node passes it to its waiting
// caller as if its own executors had answered.

/// The correlation id of a synchronous call waiting on `node`.
std::string reply_to_on(std::string_view node, std::string_view random);
/// The NATS subject of `node`'s replies ("<prefix>.reply.<node token>").
std::string reply_subject(std::string_view prefix, std::string_view node);
/// The reply subject named by a correlation id; nullopt for one of no cluster node.
std::optional<std::string> reply_subject_of(std::string_view prefix, std::string_view reply_to);

std::string encode_frames(const transport::frames& frames);
std::optional<transport::frames> decode_frames(std::string_view bytes);

/// An executor loop's replies, sent to the reply subjects of the nodes holding the callers
/// (at most once: a reply lost on the way leaves the caller its status link).
class cluster_replies final : public reply_sink {
public:
    cluster_replies(nats::connection& nats, std::string prefix, execution_backend& backend)
        : nats_(nats), prefix_(std::move(prefix)), backend_(backend) {}
    void send_early(transport::frames reply, kept_answers pages) override;
    void send_now(transport::frames reply) override;
    void send_recorded(transport::frames reply) override { send_now(std::move(reply)); }

private:
    nats::connection& nats_;
    std::string prefix_;
    execution_backend& backend_;
};

}  // namespace ferry::engine::cluster
