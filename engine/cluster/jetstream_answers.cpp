// Kept answers (replies, pages) and sequences in the cluster's key-value buckets.
#include "cluster/cluster_messages.hpp"
#include "cluster/jetstream_backend.hpp"
#include "ferry/nats/error.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {

using boost::system::result;

result<void> jetstream_backend::publish_answers(const kept_answers& answers) {
    if (answers.empty()) return {};
    std::vector<nats::outgoing_message> messages;
    messages.reserve(answers.size());
    for (const auto& [key, value] : answers) {
        messages.push_back(
            {.subject = subject("answer", key), .data = value, .message_id = {}, .headers = {}});
    }
    auto acks = nats_.publish_batch(messages);
    if (!acks) return acks.error();
    for (const auto& ack : *acks) {
        if (!ack) return ack.error();
    }
    return {};
}

void jetstream_backend::keep_answers(kept_answers& answers) {
    if (auto kept = publish_answers(answers); !kept) {
        log::error(
            "cluster", "cannot keep answers in JetStream",
            {{"answers", std::to_string(answers.size())}, {"error", kept.error().message()}});
    }
}

result<std::vector<std::optional<std::string>>> jetstream_backend::claim_answers(
    std::span<const std::pair<std::string, std::string>> claims,
    const std::function<bool(std::string_view)>& replaceable) {
    std::vector<std::optional<std::string>> out(claims.size());
    if (claims.empty()) return out;
    std::vector<nats::outgoing_message> creates;
    creates.reserve(claims.size());
    for (const auto& [key, value] : claims) {
        creates.push_back({.subject = subject("answer", key),
                           .data = value,
                           .message_id = "",
                           .headers = {{nats::expected_last_subject_seq, "0"}}});
    }
    auto written = nats_.publish_batch(creates);
    if (!written) return written.error();
    for (std::size_t i = 0; i < claims.size(); ++i) {
        if ((*written)[i]) continue;
        if (!lost_race((*written)[i].error())) return (*written)[i].error();
        // Taken before: by this claim itself (published again), by another, or long ago.
        const auto& [key, value] = claims[i];
        const auto& claim_subject = creates[i].subject;
        for (int tries = 0;; ++tries) {
            if (tries == 20) return nats::make_error(0, nats::jetstream_code::wrong_last_sequence);
            auto earlier = nats_.last_message(settings_.records_stream, claim_subject);
            if (!earlier) return earlier.error();
            if (*earlier && (*earlier)->data == value) break;  // it stands
            if (*earlier && !replaceable((*earlier)->data)) {
                out[i] = std::move((*earlier)->data);
                break;
            }
            const auto expected = *earlier ? std::to_string((*earlier)->seq) : std::string("0");
            auto replaced = nats_.publish(claim_subject, value, "",
                                          {{nats::expected_last_subject_seq, expected}});
            if (replaced) break;
            if (!lost_race(replaced.error())) return replaced.error();
        }
    }
    return out;
}

result<std::optional<std::string>> jetstream_backend::answer(const std::string& key) {
    auto last = nats_.last_message(settings_.records_stream, subject("answer", key));
    if (!last) return last.error();
    if (!*last) return std::optional<std::string>();
    return std::optional<std::string>(std::move((*last)->data));
}

result<std::uint64_t> jetstream_backend::reserve_sequence(std::string_view name,
                                                          std::uint64_t count) {
    const auto sequence_subject = subject("sequence", name);
    // Compare-and-set on the subject's last message: a node that lost the race reads again.
    for (int tries = 0; tries < 100; ++tries) {
        auto last = nats_.last_message(settings_.records_stream, sequence_subject);
        if (!last) return last.error();
        std::uint64_t reserved = 0;  // the last value handed out
        if (*last) reserved = std::stoull((*last)->data);
        const auto expected = *last ? std::to_string((*last)->seq) : std::string("0");
        auto written = nats_.publish(sequence_subject, std::to_string(reserved + count), "",
                                     {{nats::expected_last_subject_seq, expected}});
        if (written) return reserved + 1;
        if (!lost_race(written.error())) return written.error();
    }
    return nats::make_error(0, nats::jetstream_code::wrong_last_sequence);
}

}  // namespace ferry::engine::cluster
