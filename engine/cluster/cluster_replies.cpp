#include "cluster/cluster_replies.hpp"

#include "cluster/cluster_messages.hpp"
#include "ferry/engine/execute/reply.hpp"
#include "ferry/store/codec.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {

std::string reply_to_on(std::string_view node, std::string_view random) {
    return subject_token(node) + "/" + std::string(random);
}

std::string reply_subject(std::string_view prefix, std::string_view node) {
    return std::string(prefix) + ".reply." + subject_token(node);
}

std::optional<std::string> reply_subject_of(std::string_view prefix, std::string_view reply_to) {
    const auto slash = reply_to.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    // The token is written by reply_to_on(): already a subject token.
    return std::string(prefix) + ".reply." + std::string(reply_to.substr(0, slash));
}

std::string encode_frames(const transport::frames& frames) {
    store::byte_writer out;
    out.put_varint(frames.size());
    for (const auto& f : frames) out.put_string(f);
    return out.take();
}

std::optional<transport::frames> decode_frames(std::string_view bytes) {
    store::byte_reader in(bytes);
    const auto count = in.get_varint();
    if (!count || *count > bytes.size()) return std::nullopt;
    transport::frames out;
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto f = in.get_string();
        if (!f) return std::nullopt;
        out.emplace_back(*f);
    }
    if (!in.at_end()) return std::nullopt;
    return out;
}

void cluster_replies::send_early(transport::frames reply, kept_answers pages) {
    backend_.keep_answers(pages);
    send_now(std::move(reply));
}

void cluster_replies::send_now(transport::frames reply) {
    const auto decoded = decode_sync_reply(reply);
    if (!decoded) return;
    const auto subject = reply_subject_of(prefix_, decoded->reply_to);
    if (!subject) return;  // a caller of no cluster node: nobody to answer here
    if (auto sent = nats_.publish_plain(*subject, encode_frames(reply)); !sent) {
        log::warn("cluster", "a synchronous reply could not be sent to its node",
                  {{"execution_id", decoded->execution_id}, {"error", sent.error().message()}});
    }
}

}  // namespace ferry::engine::cluster
