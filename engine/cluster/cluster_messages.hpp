#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
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
};

std::string encode_run(const queued_run& run);
/// A whole new execution (its record lists its documents, all of them given) as a run.
boost::system::result<queued_run> run_of(const store::new_execution& execution);
/// Checks the record and every document whole.
boost::system::result<queued_run> decode_run(std::string_view bytes);

/// An execution's outcome in the cluster's record stream, written once (create-only): the
/// final record and what its finish left. Executions finished together share their finish's
/// effects; the first of them carries those that belong to no single one (started executions,
/// answers), so that a finish interrupted after its outcomes were written can complete them.
struct recorded_outcome {
    std::string record;  // store::encode_execution()'s bytes, final
    /// Its request documents (up to 256 KB in all), then its step outputs, stored form.
    std::vector<std::pair<std::string, std::string>> documents;
    std::vector<std::string> started;  // encode_run()'s bytes, each with its execution id
    std::vector<std::string> started_ids;
    std::vector<store::dead_letter> dead;
    std::vector<std::pair<std::string, std::string>> answers;  // "reply/<id>", "page/<token>"
};

std::string encode_outcome(const recorded_outcome& outcome);
boost::system::result<recorded_outcome> decode_outcome(std::string_view bytes);

/// `text` with letters, digits, '-', '_' and the characters of `kept` as they are, anything
/// else written as `escape` and two hex digits (names that NATS restricts: subjects, keys).
std::string escaped(std::string_view text, char escape, std::string_view kept = {});

/// An execution id, a process or an answer key as one token of a NATS subject: letters,
/// digits, '-' and '_' stay; anything else is written as '~' and two hex digits.
std::string subject_token(std::string_view text);

}  // namespace ferry::engine::cluster
