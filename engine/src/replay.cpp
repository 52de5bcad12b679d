#include "ferry/engine/replay.hpp"

#include "ferry/store/error.hpp"

namespace ferry::engine {

std::variant<submission, replay_refusal> replay_submission(const store::store& db,
                                                           const registry& processes,
                                                           const std::string& id) {
    const auto record = db.read_execution(id);
    if (!record) {
        if (record.error() == store::errc::not_found) {
            return replay_refusal{"unknown_execution", "no execution has the id '" + id + "'"};
        }
        return replay_refusal{"storage_error",
                              "the execution could not be read: " + record.error().message()};
    }
    const auto p = processes.by_name(record->process);
    if (!p) {
        return replay_refusal{"process_not_deployed",
                              "the process '" + record->process +
                                  "' of this execution is not deployed; deploy it to replay"};
    }
    submission s;
    s.process = p->name;
    s.process_version = p->version;
    s.process_props = record->process_props;
    s.process_props["replay_of"] = record->id;
    s.debug = record->debug;
    s.documents.reserve(record->document_ids.size());
    for (const auto& doc_id : record->document_ids) {
        auto doc = db.read_document(doc_id);
        if (!doc) {
            // In-memory (low_latency) executions and expired documents leave nothing to run.
            return replay_refusal{"documents_missing",
                                  "the stored document '" + doc_id +
                                      "' of this execution is gone (" + doc.error().message() +
                                      "); it cannot be replayed"};
        }
        s.documents.push_back(std::move(*doc));
    }
    return s;
}

}  // namespace ferry::engine
