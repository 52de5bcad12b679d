#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/store/records.hpp"

namespace ferry::engine::cluster {

/// An execution waiting in the cluster's work stream: what a claim on any node needs to run
/// it, with nothing read from a local store.
struct queued_run {
    std::string record;  // store::encode_execution()'s bytes, as queued
    /// (document id, store::encode_document()'s bytes) of every document it runs over.
    std::vector<std::pair<std::string, std::string>> documents;
    std::int64_t not_before_ms = 0;  // a redelivery of a queue message waits until then
    /// A queue message nobody listens for yet: it waits in the cluster's parked stream, under
    /// this queue, until a process listens (parked_messages.hpp).
    std::string parked_on;
};

/// On a run queued again (an outbox's republish, a finish completed by a redelivery, a parked
/// message released): the claim looks for its outcome before running it.
inline constexpr const char* republished_header = "Ferry-Again";

std::string encode_run(const queued_run& run);
/// A whole new execution (its record lists its documents, all of them given) as a run.
boost::system::result<queued_run> run_of(const store::new_execution& execution);
/// Checks the record and every document whole.
boost::system::result<queued_run> decode_run(std::string_view bytes);
/// Whether a run decode_run() refused was written by a newer ferry (a cluster in the middle of
/// an upgrade): its own format, its record's or a document's is newer than this ferry reads.
/// Such a run is left in the stream for a ferry that reads it, never dropped.
bool from_newer_ferry(std::string_view run_bytes);
/// How long such a run waits before it is offered again.
inline constexpr std::chrono::milliseconds newer_format_retry{std::chrono::seconds(30)};

/// An execution's outcome in the cluster's record stream, written once (create-only): the
/// final record and what its finish left. Executions finished together share their finish's
/// effects; the first of them carries those that belong to no single one (started executions),
/// so that a finish interrupted after its outcomes were written can complete them. (The
/// finish's kept answers are written before its outcomes, under "<prefix>.answer.<key>".)
struct recorded_outcome {
    std::string record;  // store::encode_execution()'s bytes, final
    /// Its request documents (unless larger than request_documents_in_outcome: then they
    /// come in a message of their own), then its step outputs, stored form.
    std::vector<std::pair<std::string, std::string>> documents;
    std::vector<std::string> started;  // encode_run()'s bytes, each with its execution id
    std::vector<std::string> started_ids;
    std::vector<store::dead_letter> dead;
};

/// Messages that follow an execution's outcome subject ("<prefix>.outcome.<id><suffix>"), so
/// that the history followers (filter "<prefix>.outcome.>") read them in order with it:
/// request documents too large to ride in the outcome (written just before it), and the
/// removal of the dead letter it left (resent or cleared).
inline constexpr std::string_view request_documents_suffix = ".documents";
inline constexpr std::string_view letter_removed_suffix = ".letter-removed";

/// Request documents larger than this in all (stored form) travel in a message of their own
/// (request_documents_suffix) instead of the outcome, which also carries the step outputs.
inline constexpr std::size_t request_documents_in_outcome = 256 * 1024;

/// (document id, store::encode_document()'s bytes) pairs as one message; decoding checks each.
std::string encode_documents(const std::vector<std::pair<std::string, std::string>>& documents);
boost::system::result<std::vector<std::pair<std::string, std::string>>> decode_documents(
    std::string_view bytes);

std::string encode_outcome(const recorded_outcome& outcome);
boost::system::result<recorded_outcome> decode_outcome(std::string_view bytes);

/// `text` with letters, digits, '-', '_' and the characters of `kept` as they are, anything
/// else written as `escape` and two hex digits (names that NATS restricts: subjects, keys).
std::string escaped(std::string_view text, char escape, std::string_view kept = {});

/// What escaped() made of a text, back; nullopt for a malformed escape.
std::optional<std::string> unescaped(std::string_view text, char escape);

/// An execution id, a process or an answer key as one token of a NATS subject: letters,
/// digits, '-' and '_' stay; anything else is written as '~' and two hex digits.
std::string subject_token(std::string_view text);

}  // namespace ferry::engine::cluster
