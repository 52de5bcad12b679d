#include "cluster/parked_messages.hpp"

#include <algorithm>

#include "clock.hpp"
#include "cluster/cluster_messages.hpp"
#include "ferry/engine/intake/submission.hpp"
#include "ferry/store/log.hpp"
#include "id_generator.hpp"

namespace ferry::engine::cluster {

using boost::system::result;

result<std::map<std::string, std::uint64_t>> parked_messages::counts() const {
    const auto prefix = settings_.subject_prefix + ".parked.";
    auto subjects = nats_.subject_counts(settings_.parked_stream, prefix + ">");
    if (!subjects) return subjects.error();
    std::map<std::string, std::uint64_t> out;
    for (const auto& [subject, count] : *subjects) {
        if (count == 0 || !subject.starts_with(prefix)) continue;
        if (auto queue = unescaped(std::string_view(subject).substr(prefix.size()), '~')) {
            out[*queue] += count;
        }
    }
    return out;
}

result<std::size_t> parked_messages::release(const registry& processes) {
    auto parked = counts();
    if (!parked) return parked.error();
    std::size_t released = 0;
    for (const auto& [queue, count] : *parked) {
        auto listeners = processes.queue_listeners(queue);
        std::erase_if(listeners, [](const auto& l) { return l.paused; });
        if (listeners.empty()) continue;
        auto done = release_queue(queue, listeners);
        if (!done) return done.error();
        released += *done;
    }
    return released;
}

result<std::size_t> parked_messages::release_queue(const std::string& queue,
                                                   const std::vector<queue_listener>& listeners) {
    static thread_local id_generator ids;
    const auto parked_subject = settings_.subject_prefix + ".parked." + subject_token(queue);
    const auto runs_subject = settings_.subject_prefix + ".runs";
    std::size_t released = 0;
    std::uint64_t from = 1;
    for (;;) {
        auto next = nats_.next_message(settings_.parked_stream, parked_subject, from);
        if (!next) return next.error();
        if (!*next) break;
        const auto& parked = **next;
        from = parked.seq + 1;
        auto run = decode_run(parked.data);
        auto record = run ? store::decode_execution(run->record)
                          : result<store::execution_record>(run.error());
        if (!record) {
            log::error("queues", "an unreadable parked message was left in the cluster",
                       {{"queue", queue}, {"stream_seq", std::to_string(parked.seq)}});
            continue;
        }
        std::vector<nats::outgoing_message> deliveries;
        const auto deliver = [&](const store::execution_record& rec, const queued_run& as,
                                 std::string message_id) {
            queued_run out = as;
            out.record = store::encode_execution(rec);
            out.parked_on.clear();
            deliveries.push_back({.subject = runs_subject,
                                  .data = encode_run(out),
                                  .message_id = std::move(message_id),
                                  .headers = {{republished_header, "1"}}});
        };
        if (!record->process.empty()) {
            // A paused subscriber's copy of a published message: for that subscriber only.
            const auto it = std::find_if(listeners.begin(), listeners.end(), [&](const auto& l) {
                return l.process->name == record->process;
            });
            if (it == listeners.end()) continue;
            record->process_version = it->process->version;
            deliver(*record, *run, record->id);
        } else {
            const bool publish = record->process_props["queue_publish"] == "true";
            const auto first = publish ? 0 : turn_++ % listeners.size();
            for (std::size_t i = 1; publish && i < listeners.size(); ++i) {
                // Every other subscriber gets a copy of its own (its own ids).
                submission copy;
                copy.process = listeners[i].process->name;
                copy.process_version = listeners[i].process->version;
                copy.process_props = record->process_props;
                for (const auto& [doc_id, bytes] : run->documents) {
                    copy.documents.push_back(store::decode_document(bytes).value());
                }
                auto made = run_of(new_execution_of(std::move(copy), ids.next(), now_ms()));
                if (!made) return made.error();
                auto made_record = store::decode_execution(made->record);
                if (!made_record) return made_record.error();
                deliver(*made_record, *made, record->id + "/" + listeners[i].process->name);
            }
            record->process = listeners[first].process->name;
            record->process_version = listeners[first].process->version;
            deliver(*record, *run, record->id);
        }
        auto acks = nats_.publish_batch(deliveries);
        if (!acks) return acks.error();
        for (const auto& ack : *acks) {
            if (!ack) return ack.error();
        }
        // Queued: the parked copy may go (should this fail, the next release is a duplicate).
        if (auto deleted = nats_.delete_message(settings_.parked_stream, parked.seq); !deleted) {
            return deleted.error();
        }
        ++released;
    }
    if (released > 0) {
        (void)nats_.publish_hint(settings_.subject_prefix + ".work");
        log::info("queues", "parked messages released to their listeners",
                  {{"queue", queue}, {"messages", std::to_string(released)}});
    }
    return released;
}

}  // namespace ferry::engine::cluster
