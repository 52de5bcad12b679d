#include "cluster/delayed_runs.hpp"

#include "clock.hpp"
#include "cluster/cluster_messages.hpp"
#include "cluster/unreadable_run.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {

using boost::system::result;

namespace {
constexpr unreadable_run_words unreadable_redelivery{
    .component = "queues",
    .newer_format =
        "a redelivery in the cluster is of a newer ferry's format; it is left for a "
        "node that reads it",
    .unreadable = "an unreadable redelivery in the cluster was dropped"};
}  // namespace

result<std::unique_ptr<delayed_runs>> delayed_runs::open(nats::connection& nats,
                                                         const jetstream_settings& settings) {
    auto consumer = nats.pull({.stream = settings.delayed_stream,
                               .durable = settings.delayed_consumer,
                               .subject = settings.subject_prefix + ".delayed"});
    if (!consumer) return consumer.error();
    return std::unique_ptr<delayed_runs>(new delayed_runs(nats, settings, std::move(*consumer)));
}

result<std::size_t> delayed_runs::move_due(std::chrono::milliseconds wait) {
    auto fetched = consumer_->fetch(256, wait);
    if (!fetched) return fetched.error();
    const auto now = now_ms();
    std::vector<nats::message*> due;
    std::vector<nats::outgoing_message> runs;
    for (auto& message : *fetched) {
        auto run = decode_run(message.data());
        if (!run) {
            set_aside_unreadable_run(message, unreadable_redelivery);
            continue;
        }
        if (run->not_before_ms > now) {
            (void)message.nak(std::chrono::milliseconds(run->not_before_ms - now));
            continue;
        }
        auto rec = store::decode_execution(run->record);
        if (!rec) {
            set_aside_unreadable_run(message, unreadable_redelivery);
            continue;
        }
        due.push_back(&message);
        runs.push_back({.subject = settings_.subject_prefix + ".runs",
                        .data = std::string(message.data()),
                        .message_id = rec->id,
                        .headers = {}});
    }
    if (runs.empty()) return 0;
    auto acks = nats_.publish_batch(runs);
    boost::system::error_code failed;
    if (!acks) {
        failed = acks.error();
    } else {
        for (const auto& ack : *acks) {
            if (!ack) {
                failed = ack.error();
                break;
            }
        }
    }
    if (failed) {
        // Back in a second; those queued already are duplicates then.
        for (auto* message : due) (void)message->nak(std::chrono::seconds(1));
        return failed;
    }
    (void)nats_.publish_hint(settings_.subject_prefix + ".work");
    for (auto* message : due) (void)message->ack();
    return runs.size();
}

result<std::uint64_t> delayed_runs::waiting() const {
    auto state = nats_.stream(settings_.delayed_stream);
    if (!state) return state.error();
    return state->messages;
}

}  // namespace ferry::engine::cluster
