#include "ferry/engine/ops/replay.hpp"

#include "ferry/store/error.hpp"

namespace ferry::engine {

refused_or<submission> replay_of_record(const store::store& db, const registry& processes,
                                        const store::execution_record& original,
                                        std::optional<std::uint32_t> version) {
    const auto p = version ? processes.version(original.process, *version)
                           : processes.by_name(original.process);
    if (!p && version) {
        return refusal{errc::unknown_version, "process '" + original.process + "' has no version " +
                                                  std::to_string(*version) +
                                                  "; deploy it (it need not serve)"};
    }
    if (!p) {
        return refusal{errc::process_not_deployed,
                       "the process '" + original.process +
                           "' of this execution is not deployed; deploy it to replay"};
    }
    submission s;
    s.process = p->name;
    s.process_version = p->version;
    s.process_props = original.process_props;
    s.process_props["replay_of"] = original.id;
    if (s.process_props.contains("queue")) {
        // A queue message again: a first delivery, with its redeliveries still ahead.
        s.process_props["queue_delivery"] = "1";
        s.process_props.erase("redelivery_of");
        s.process_props.erase("redelivered_as");
    }
    s.debug = original.debug;
    s.documents.reserve(original.document_ids.size());
    for (const auto& doc_id : original.document_ids) {
        auto doc = db.read_document(doc_id);
        if (!doc) {
            // In-memory (low_latency) executions and expired documents leave nothing to run.
            return refusal{errc::documents_missing,
                           "the stored document '" + doc_id + "' of this execution is gone (" +
                               doc.error().message() + "); it cannot be replayed"};
        }
        s.documents.push_back(std::move(*doc));
    }
    return s;
}

refused_or<submission> replay_submission(const store::store& db, const registry& processes,
                                         const std::string& id,
                                         std::optional<std::uint32_t> version) {
    const auto record = db.read_execution(id);
    if (!record) {
        if (record.error() == store::errc::not_found) {
            return refusal{errc::unknown_execution, "no execution has the id '" + id + "'"};
        }
        return refusal{errc::storage_error,
                       "the execution could not be read: " + record.error().message()};
    }
    return replay_of_record(db, processes, *record, version);
}

}  // namespace ferry::engine
