#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::store {

enum class execution_state : std::uint8_t { queued = 0, running, succeeded, failed, cancelled };

std::string_view to_string(execution_state state);

/// Case-sensitive string map, as SPEC §1 defines document and process properties.
using properties = std::map<std::string, std::string>;

/// A stored document: its bytes and its document properties.
struct document {
    std::string data;
    properties props;
};

/// What one step did in one run (SPEC §5 execution history).
struct step_record {
    std::string step;  // step id
    std::string kind;  // message, branch, ...
    std::uint32_t documents_in = 0;
    std::uint32_t documents_out = 0;
    std::uint32_t documents_failed = 0;
    std::int64_t started_ms = 0;
    std::uint32_t micros = 0;
    std::string error;
    std::vector<std::string> output_ids;  // stored output documents (general mode)
};

/// One execution: which process ran (or will run) over which documents, and how it ended.
/// Times are milliseconds since the Unix epoch; 0 means "not yet".
struct execution_record {
    std::string id;
    std::string process;
    std::uint32_t process_version = 0;
    execution_state state = execution_state::queued;
    std::int64_t created_ms = 0;
    std::int64_t started_ms = 0;
    std::int64_t finished_ms = 0;
    std::uint32_t attempts = 0;     // how many times an executor picked it up
    std::uint64_t pending_seq = 0;  // its key in the pending queue while unfinished
    std::vector<std::string> document_ids;
    properties process_props;  // request data for the process (inmethod, query_*, ...)
    std::string error;
    bool debug = false;  // X-Debug: run in general mode whatever the process's mode
    std::vector<step_record> trace;
    std::uint64_t untraced_steps = 0;  // step runs past the trace limit
    /// Correlation id of the synchronous caller waiting for the reply ("" when nobody waits):
    /// the executor sends the reply tagged with it (SPEC §4).
    std::string reply_to;
};

/// Which executions a listing returns: every filter that is set must hold.
struct execution_filter {
    std::string process;                   // "" for any
    std::optional<execution_state> state;  // any when empty
    std::int64_t from_ms = 0;              // created at or after (0: no bound)
    std::int64_t to_ms = 0;                // created before (0: no bound)
    std::string error_contains;            // "" for any; else a substring of the error
    /// Process properties the execution must have with exactly these values (replay_of,
    /// correlation_id, ...); none for any.
    std::vector<std::pair<std::string, std::string>> property_equals{};
};

/// One page of a listing, and where the next one starts ("" when there is none).
struct execution_page {
    std::vector<execution_record> executions;
    std::string next_cursor;
    std::size_t scanned = 0;  // records read for this page
};

/// The state named `name` (queued, running, succeeded, failed, cancelled).
std::optional<execution_state> parse_execution_state(std::string_view name);

/// An execution accepted by the intake, with the documents it was created from.
struct new_execution {
    execution_record record;
    std::vector<document> documents;
    /// How the documents arrive: a streamed bulk post (ndjson) comes in several parts.
    enum class part : std::uint8_t {
        whole,    // all documents; the execution is queued
        staged,   // some documents of an upload still arriving; nothing is queued yet
        closing,  // the last documents; the execution (record with every id) is queued
        aborted,  // the upload failed: its staged documents are deleted
    };
    part arrives = part::whole;
    /// documents[i] is stored under record.document_ids[first_document + i] (closing: the
    /// record lists every id of the upload; staged: just this part's).
    std::size_t first_document = 0;
    /// Answers (store::put_answers) written in the same atomic batch as the execution, such
    /// as the idempotency key it claims; ignored for staged and aborted parts.
    std::vector<std::pair<std::string, std::string>> answers;
    /// A message for an internal queue nobody listens on yet: it waits, parked under that
    /// queue's name, instead of being queued (store::release_parked).
    std::string parked_on;
    /// A redelivery: it waits until then (ms since the epoch) instead of being queued
    /// (store::queue_delayed).
    std::int64_t not_before_ms = 0;
    /// Cluster mode: it runs in the cluster, not from this store's pending queue; the store
    /// keeps it in its outbox (store::list_outbox) until the cluster has surely written it.
    bool outbox = false;
    /// With outbox: the answers key of the idempotency claim it makes (one of `answers`), kept
    /// with its outbox entry so that publishing it again claims the key in the cluster first.
    std::string outbox_claim;

    bool queues() const { return arrives == part::whole || arrives == part::closing; }
};

/// An execution in a cluster node's outbox, and when it was stored there (ms since the epoch).
struct outbox_entry {
    std::string execution_id;
    std::int64_t stored_ms = 0;
    std::string claim;  // new_execution::outbox_claim
};

/// A queue message whose last delivery failed (SPEC §3): the failed execution keeps its
/// documents, trace and error; this entry lists it until an operator resends or clears it.
struct dead_letter {
    std::string execution_id;
    std::string queue;
    std::int64_t dead_ms = 0;  // when the last delivery failed
};

/// An execution waiting outside the pending queue: a redelivery until `due_ms`, or a parked
/// message for `queue`.
struct waiting_entry {
    std::string execution_id;
    std::int64_t due_ms = 0;  // delayed
    std::string queue;        // parked
};

/// An entry of the durable pending queue: executions that are queued or were interrupted.
struct pending_entry {
    std::uint64_t seq = 0;
    std::string execution_id;
};

std::string encode_execution(const execution_record& rec);
boost::system::result<execution_record> decode_execution(std::string_view bytes);
std::string encode_document(const document& doc);
boost::system::result<document> decode_document(std::string_view bytes);
/// Whether decode_document() would read `bytes`, without building the document.
bool check_document(std::string_view bytes);

/// A stored execution record as a claim starts it again, rewritten without decoding what the
/// claim leaves as it is (its request properties and trace): a worker dispatcher passes the
/// record on in its stored form.
struct restarted_execution {
    std::string bytes;  // encode_execution()'s form: running, started now, no error
    std::string id;
    std::uint32_t attempts = 0;  // counting this start
    std::vector<std::string> document_ids;
};
/// `stored` (encode_execution()'s bytes, checked whole) with state running, `started_ms`,
/// `more_attempts` added to its attempts, `pending_seq`, and no error.
boost::system::result<restarted_execution> restart_execution(std::string_view stored,
                                                             std::int64_t started_ms,
                                                             std::uint32_t more_attempts,
                                                             std::uint64_t pending_seq);

/// What recording a finished execution needs of it, read from its stored form.
struct execution_head {
    std::string_view id;  // into the bytes read
    execution_state state = execution_state::queued;
    std::int64_t finished_ms = 0;
    std::uint64_t pending_seq = 0;
};
/// Checks `stored` whole (encode_execution()'s bytes in the current format) and reads its head:
/// a worker's finished records are stored as they came, after this.
boost::system::result<execution_head> check_execution(std::string_view stored);

/// A final record in its stored form (encode_execution()'s bytes, checked by whoever received
/// it: a worker's result), written as it is.
struct encoded_record {
    std::string id;
    std::uint64_t pending_seq = 0;
    std::string bytes;
};
/// Outcomes that arrived in their stored form: records, and step documents (id,
/// encode_document()'s bytes).
struct encoded_outcomes {
    std::vector<encoded_record> records;
    std::vector<std::pair<std::string, std::string>> documents;
    bool empty() const { return records.empty() && documents.empty(); }
};

/// A dead letter's value under "dead/<id>" (the id is the key).
std::string encode_dead_letter(const dead_letter& letter);
boost::system::result<dead_letter> decode_dead_letter(std::string_view id, std::string_view bytes);

}  // namespace ferry::store
