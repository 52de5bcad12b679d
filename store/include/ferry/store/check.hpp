#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ferry::store {

/// What `ferry check` found in a store (docs/reliability.md, "Checking a store").
struct check_report {
    std::uint64_t executions = 0;  // records read
    std::uint64_t documents = 0;
    std::uint64_t pending = 0;  // pending entries
    std::uint64_t answers = 0;
    std::uint64_t meta = 0;  // entries of the meta column family
    /// Each problem as a plain sentence naming the record ("execution record 01J... does
    /// not decode (212 bytes)"); empty when the store is sound.
    std::vector<std::string> problems;
    std::uint64_t problems_left_out = 0;  // past the report's limit
};

/// Verifies the store in `directory` without changing it (read-only): every column family is
/// there and its blocks' checksums hold, the format version is one this ferry reads, every
/// execution record and document decodes, every pending entry names an unfinished execution
/// that names it back and whose documents are all there, no pending seq is beyond the last
/// one handed out, every queue, outbox and dead-letter entry names an execution there, and
/// no execution was set aside as damaged. Reports at most `max_problems` problems. Meant for
/// a stopped server: a running one changes the store under it.
check_report check_store(const std::string& directory, std::size_t max_problems = 1000);

}  // namespace ferry::store
