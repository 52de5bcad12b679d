#include "admin/execution_json.hpp"

#include <cstdlib>

#include "ferry/engine/model/message_template.hpp"
#include "ferry/profiles/utf8.hpp"

namespace ferry::ingress {

boost::json::value timestamp(std::int64_t ms) {
    if (ms == 0) return nullptr;
    return boost::json::value(engine::format_date(ms, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"));
}

boost::json::object execution_summary(const store::execution_record& record) {
    boost::json::object body;
    body["id"] = record.id;
    body["process"] = record.process;
    body["process_version"] = record.process_version;
    body["state"] = store::to_string(record.state);
    body["created_at"] = timestamp(record.created_ms);
    body["started_at"] = timestamp(record.started_ms);
    body["finished_at"] = timestamp(record.finished_ms);
    body["duration_ms"] = record.started_ms != 0 && record.finished_ms >= record.started_ms
                              ? boost::json::value(record.finished_ms - record.started_ms)
                              : boost::json::value(nullptr);
    body["attempts"] = record.attempts;
    body["document_count"] = record.document_ids.size();
    const auto property = [&](const char* name) {
        const auto it = record.process_props.find(name);
        return it == record.process_props.end() ? boost::json::value(nullptr)
                                                : boost::json::value(it->second);
    };
    body["replay_of"] = property("replay_of");
    body["correlation_id"] = property("correlation_id");
    if (const auto queue = record.process_props.find("queue");
        queue != record.process_props.end()) {
        // A delivery of an internal queue's message (SPEC §3).
        const auto& prop = property;
        boost::json::object q;
        q["name"] = queue->second;
        const auto delivery = record.process_props.find("queue_delivery");
        q["delivery"] = delivery == record.process_props.end()
                            ? 1
                            : std::strtoull(delivery->second.c_str(), nullptr, 10);
        q["sent_by"] = prop("sent_by");
        q["redelivery_of"] = prop("redelivery_of");
        q["redelivered_as"] = prop("redelivered_as");
        q["resent_from"] = prop("resent_from");
        body["queue"] = std::move(q);
    }
    body["error"] = record.error.empty() ? boost::json::value(nullptr)
                                         : boost::json::value(profiles::as_utf8(record.error));
    return body;
}

}  // namespace ferry::ingress
