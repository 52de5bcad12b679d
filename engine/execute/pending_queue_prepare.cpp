// pending_queue::prepare: what a claim hands out, read from the store together.
#include "execute/pending_queue.hpp"
#include "ferry/store/error.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine {
namespace {

std::string abandoned_error(std::uint32_t max_attempts) {
    return "abandoned after " + std::to_string(max_attempts) +
           " attempts that did not finish (the server, or the worker running it, stopped "
           "during each)";
}

}  // namespace

std::vector<claimed_execution> pending_queue::prepare(std::vector<work_item>& items,
                                                      std::int64_t now, bool stored_form) const {
    std::vector<claimed_execution> out(items.size());
    // The records not handed over by the intake, read together.
    std::vector<std::string_view> unread_ids;
    for (const auto& item : items) {
        if (item.seq != 0 && !item.loaded) unread_ids.push_back(item.execution_id);
    }
    std::vector<boost::system::result<store::execution_record>> read;
    std::vector<boost::system::result<std::string>> read_stored;
    if (stored_form) {
        read_stored = db_.read_stored_executions(unread_ids);
    } else {
        read = db_.read_executions(unread_ids);
    }
    std::size_t next_read = 0;
    // A record that cannot be read fails its execution without a record written over it: a
    // damaged one is set aside at its finish (damaged_), any other failure leaves it pending.
    const auto unreadable = [this](const std::string& id, boost::system::error_code error,
                                   claimed_execution& claimed) {
        log::error("executor", "execution record unreadable",
                   {{"execution_id", id}, {"error", error.message()}});
        claimed.record.id = id;
        claimed.error = "execution record unreadable: " + error.message();
        std::lock_guard lock(mutex_);
        damaged_.emplace(id, error == store::errc::corrupt_record
                                 ? "the execution record is damaged: it does not decode, or its "
                                   "block fails its checksum (ferry check says which)"
                                 : "the execution record could not be read: " + error.message());
    };
    // One that cannot run goes with its whole record, to be failed.
    const auto unpack = [](claimed_execution& claimed) {
        if (claimed.stored_record.empty()) return;
        if (auto whole = store::decode_execution(claimed.stored_record)) {
            claimed.record = std::move(*whole);
        }
        claimed.stored_record.clear();
    };
    // Then the documents of those whose request is not in the intake's message (a streamed
    // upload's documents are in the store, as are those of every record read here).
    std::vector<std::string_view> document_ids;
    std::vector<std::size_t> reading_documents;  // indexes into `out`
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto& item = items[i];
        auto& claimed = out[i];
        claimed.seq = item.seq;
        auto& rec = claimed.record;
        if (item.seq == 0) {  // in memory: nothing to load, no attempts to count
            rec = std::move(item.loaded->record);
            claimed.documents = std::move(item.loaded->documents);
            rec.state = store::execution_state::running;
            rec.started_ms = now;
            if (item.attempts > 0) {
                claimed.error =
                    "the lease of whoever ran it was lost (a worker stopped answering); nothing "
                    "of a low_latency execution is stored, so it cannot run again";
            }
            continue;
        }
        const bool loaded =
            item.loaded && item.loaded->arrives == store::new_execution::part::whole;
        if (item.loaded) {
            rec = std::move(item.loaded->record);
            claimed.documents = std::move(item.loaded->documents);
        } else if (stored_form) {
            auto& stored = read_stored[next_read++];
            auto restarted =
                stored ? store::restart_execution(*stored, now, item.attempts + 1, item.seq)
                       : boost::system::result<store::restarted_execution>(stored.error());
            rec.pending_seq = item.seq;
            if (!restarted) {
                unreadable(item.execution_id, restarted.error(), claimed);
                continue;
            }
            rec.id = std::move(restarted->id);
            rec.attempts = restarted->attempts;
            rec.started_ms = now;
            rec.state = store::execution_state::running;
            rec.document_ids = std::move(restarted->document_ids);
            claimed.stored_record = std::move(restarted->bytes);
            if (rec.attempts > settings_.max_attempts) {
                unpack(claimed);
                claimed.error = abandoned_error(settings_.max_attempts);
                continue;
            }
            reading_documents.push_back(i);
            for (const auto& id : rec.document_ids) document_ids.push_back(id);
            continue;
        } else if (auto& stored = read[next_read++]; stored) {
            rec = std::move(*stored);
        } else {
            unreadable(item.execution_id, stored.error(), claimed);
        }
        rec.pending_seq = item.seq;
        if (!claimed.error.empty()) continue;
        rec.attempts += item.attempts + 1;
        rec.started_ms = now;
        rec.error.clear();
        if (rec.attempts > settings_.max_attempts) {
            claimed.error = abandoned_error(settings_.max_attempts);
            continue;
        }
        rec.state = store::execution_state::running;
        if (!loaded) {
            claimed.documents.clear();
            reading_documents.push_back(i);
            for (const auto& id : rec.document_ids) document_ids.push_back(id);
        }
    }
    std::vector<boost::system::result<store::document>> documents;
    std::vector<boost::system::result<std::string>> stored_documents;
    if (stored_form) {
        stored_documents = db_.read_stored_documents(document_ids);
    } else {
        documents = db_.read_documents(document_ids);
    }
    // The `n`th document read goes to `claimed`; what made it unreadable otherwise.
    const auto take_document = [&](std::size_t n,
                                   claimed_execution& claimed) -> boost::system::error_code {
        if (stored_form) {
            auto& doc = stored_documents[n];
            if (!doc) return doc.error();
            claimed.stored_documents.push_back(std::move(*doc));
        } else {
            auto& doc = documents[n];
            if (!doc) return doc.error();
            claimed.documents.push_back(std::move(*doc));
        }
        return {};
    };
    std::size_t next_document = 0;
    for (const auto i : reading_documents) {
        auto& claimed = out[i];
        const auto count = claimed.record.document_ids.size();
        if (stored_form) {
            claimed.stored_documents.reserve(count);
        } else {
            claimed.documents.reserve(count);
        }
        for (const auto& id : claimed.record.document_ids) {
            const auto n = next_document++;
            if (!claimed.error.empty()) continue;
            if (const auto why = take_document(n, claimed)) {
                claimed.error = "document " + id + " unreadable: " + why.message();
                claimed.documents.clear();
                claimed.stored_documents.clear();
            }
        }
        // After the loop: unpacking replaces the record whose document ids it walks.
        if (!claimed.error.empty()) unpack(claimed);
    }
    if (stored_form) {
        // Those handed over by the intake are in memory: written in their stored form here.
        for (auto& claimed : out) {
            if (!claimed.error.empty()) continue;
            if (claimed.stored_record.empty()) {
                claimed.stored_record = store::encode_execution(claimed.record);
            }
            for (const auto& doc : claimed.documents) {
                claimed.stored_documents.push_back(store::encode_document(doc));
            }
            claimed.documents.clear();
        }
    }
    return out;
}

}  // namespace ferry::engine
