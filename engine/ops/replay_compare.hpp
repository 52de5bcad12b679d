#pragma once

#include <string>
#include <vector>

#include "ferry/engine/model/process.hpp"
#include "ferry/engine/run/runner.hpp"
#include "ferry/store/store.hpp"

namespace ferry::engine {

/// How a dry run of a replay differs from the original execution, one sentence per
/// difference (at most a few), empty when nothing differs. It compares what the original left:
/// its state and error, its trace step by step (document counts), the step outputs it stored
/// (general mode or X-Debug) and, for a synchronous process, its kept reply.
std::vector<std::string> replay_differences(const store::store& db, const process& p,
                                            const store::execution_record& original,
                                            const run_outcome& dry);

}  // namespace ferry::engine
