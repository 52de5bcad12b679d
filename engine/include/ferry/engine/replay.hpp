#pragma once

#include <string>
#include <variant>

#include "ferry/engine/refusal.hpp"
#include "ferry/engine/registry.hpp"
#include "ferry/engine/submission.hpp"
#include "ferry/store/store.hpp"

namespace ferry::engine {

/// Why an execution cannot be replayed: `error` is a stable code (unknown_execution,
/// process_not_deployed, documents_missing, storage_error), `detail` a sentence.
using replay_refusal = refusal;

/// The submission that replays stored execution `id` (SPEC §7): its stored request documents
/// and process properties, run by the process's currently deployed version, with the process
/// property `replay_of` naming the original. Reads the store: call it off the I/O threads.
std::variant<submission, replay_refusal> replay_submission(const store::store& db,
                                                           const registry& processes,
                                                           const std::string& id);

}  // namespace ferry::engine
