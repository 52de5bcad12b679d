#pragma once

// Messages between a serving process and its remote workers (docs/storage.md, "Remote
// workers"). Every message's first frame is a header that starts with its kind.
#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "execute/execution.hpp"
#include "ferry/engine/workers/worker_report.hpp"
#include "ferry/store/records.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::engine::worker_protocol {

enum class kind : std::uint8_t {
    // worker -> server
    ready = 1,        // `count` more executions may come (credit, on top of what was granted)
    results = 2,      // outcomes of executions (a batch)
    early_reply = 3,  // a respond: early reply, to forward at once
    sequence = 4,     // reserve values of a named sequence
    definitions = 5,  // send the deployed process definitions
    alive = 6,        // the worker process's heartbeat
    ready_all = 7,    // the worker holds nothing now: up to `count` executions may come
    // server -> worker
    work = 11,
    sequence_values = 12,
    deployed = 13,
};

/// Who sent a worker message: the worker process (heartbeats and leases are per process).
struct worker_header {
    kind what = kind::ready;
    std::string worker_id;
    std::uint64_t received = 0;  // ready_all: the number of the last work message received
    std::string sequence_name;   // sequence
    std::uint64_t count = 0;     // sequence: how many values; ready, ready_all: executions
};
std::string encode_header(const worker_header& h);
boost::system::result<worker_header> decode_worker_header(std::string_view bytes);

/// One execution leased to a worker.
struct leased_execution {
    std::uint64_t lease = 0;  // the token its result answers with
    bool in_memory = false;
    store::execution_record record;
    std::vector<store::document> documents;
    /// When set, the record in its stored form, sent as it is instead of `record` (which
    /// then holds only what the serving process needs of it). Decoding gives `record`.
    std::string stored_record;
    /// Documents in their stored form, sent as they are before `documents` (which the
    /// serving process leaves empty then). Decoding gives them all in `documents`.
    std::vector<std::string> stored_documents;

    std::size_t document_count() const { return stored_documents.size() + documents.size(); }
};
/// Executions leased to a worker in one message (a claim's worth): they run with the same
/// definitions and limits.
struct work {
    std::uint64_t number = 0;  // the serving process's count of work messages, sent in order
    std::string generation;    // of the deployed definitions they must run with
    execution_limits limits;   // the serving process's (files_root is the worker's own)
    std::vector<leased_execution> executions;
};
transport::frames encode_work(const work& w);
boost::system::result<work> decode_work(const transport::frames& in);
/// The number of a work message, read even when the rest of it is not readable.
std::optional<std::uint64_t> work_number(const transport::frames& in);

/// Outcomes of executions as a worker sends them back: each record with the lease (the `work`
/// message's) it answers, and what they left, together.
/// What a worker sent back, checked whole. Its records stay in their stored form (views into
/// the message: they live as long as it does), for the dispatcher to write as they are; so do
/// the step outputs (output.encoded.documents, copies). The rest is decoded.
struct results {
    std::vector<std::uint64_t> leases;
    std::vector<std::string_view> records;  // encode_execution()'s bytes
    std::vector<store::execution_head> heads;
    execution_output output;
};
std::string encode_results(std::span<const std::uint64_t> leases,
                           std::span<const store::execution_record> records,
                           const execution_output& out);
boost::system::result<results> decode_results(std::string_view bytes);

/// A worker's figures, sent as the second frame of its `alive` heartbeat.
std::string encode_report(const worker_report& r);
boost::system::result<worker_report> decode_report(std::string_view bytes);

/// A reply to send at once, with the later pages to keep first.
std::string encode_early_reply(const transport::frames& reply, const kept_answers& pages);
boost::system::result<std::pair<transport::frames, kept_answers>> decode_early_reply(
    std::string_view bytes);

/// The first reserved value, or 0 when none could be reserved.
transport::frames encode_sequence_values(std::uint64_t first);
/// The deployed definitions: a generation id and (file name, YAML text) pairs.
transport::frames encode_deployed(const std::string& generation,
                                  const std::vector<std::pair<std::string, std::string>>& files);

/// What a server message is, and its parts.
struct server_message {
    kind what = kind::work;
    std::uint64_t first_value = 0;                           // sequence_values
    std::string generation;                                  // deployed
    std::vector<std::pair<std::string, std::string>> files;  // deployed
};
boost::system::result<server_message> decode_server_header(std::string_view bytes);

}  // namespace ferry::engine::worker_protocol
