#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "ferry/store/records.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::engine {

/// What the ingress hands to the intake for one request: the process to run and its documents.
struct submission {
    std::string process;
    std::uint32_t process_version = 0;
    store::properties process_props;
    std::vector<store::document> documents;
    bool debug = false;    // X-Debug: true
    std::string reply_to;  // correlation id of a waiting synchronous caller, "" for none
    /// A streamed bulk post arrives in parts (store::new_execution::part): the first staged
    /// part gets an execution id from the intake; later parts name it and say where their
    /// documents start.
    store::new_execution::part arrives = store::new_execution::part::whole;
    std::string upload_id;
    std::uint64_t first_document = 0;
    /// Idempotent post: the key it claims (idempotency_store_key, "" for none) and the
    /// request's fingerprint. Only a whole submission or a closing part claims a key.
    std::string idempotency_key;
    std::string fingerprint;
};

/// What the intake answers once the submission is durable.
struct receipt {
    std::string execution_id;
    /// Documents this receipt covers; their ids are document_id(execution_id, i) (a streamed
    /// upload's closing receipt covers every document of the upload).
    std::uint64_t document_count = 0;
    std::string durability = "fsync";

    std::vector<std::string> document_ids() const;
};

/// Why the intake refused a submission.
/// `conflict`: the idempotency key was claimed by a different request.
enum class intake_status : std::uint8_t {
    ok = 0,
    storage_failure = 1,
    bad_request = 2,
    conflict = 3,
    /// Cluster mode: the cluster did not acknowledge the documents in time. They are stored
    /// in this node's outbox and may still run (the caller should retry with its
    /// Idempotency-Key).
    cluster_unavailable = 4,
};

struct intake_reply {
    intake_status status = intake_status::ok;
    receipt accepted;  // when ok
    /// The submission repeated an idempotency key: `accepted` is the first post's receipt and
    /// nothing new was stored or queued.
    bool repeat = false;
    std::string message;  // otherwise
};

/// Document ids are the execution id and the document's position: "<execution>-<index>".
std::string document_id(const std::string& execution_id, std::size_t index);

/// The queued execution a submission becomes under `id`, with its document ids.
store::new_execution new_execution_of(submission s, std::string id, std::int64_t created_ms);

// Wire format (docs/storage.md, "Intake messages"): frame 0 is a header, frames 1..n are the
// documents in their stored encoding, so the intake can check and store them as they are.
transport::frames encode_submission(const submission& s);
[[nodiscard]] boost::system::result<submission> decode_submission(const transport::frames& in);
transport::frames encode_reply(const intake_reply& reply);
[[nodiscard]] boost::system::result<intake_reply> decode_reply(const transport::frames& in);

}  // namespace ferry::engine
