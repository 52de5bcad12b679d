#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ferry/engine/intake/submission.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/refusal.hpp"
#include "ferry/store/store.hpp"

namespace ferry::engine {

/// The submission that replays stored execution `original` (SPEC §7): its stored request
/// documents and process properties, with the process property `replay_of` naming it, run by
/// `version` of its process, or by the deployed (active) version. Reads the store: call it off
/// the I/O threads.
refused_or<submission> replay_of_record(const store::store& db, const registry& processes,
                                        const store::execution_record& original,
                                        std::optional<std::uint32_t> version = std::nullopt);

/// The same for the execution stored under `id`.
refused_or<submission> replay_submission(const store::store& db, const registry& processes,
                                         const std::string& id,
                                         std::optional<std::uint32_t> version = std::nullopt);

}  // namespace ferry::engine
