#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ferry/engine/run/runner.hpp"

namespace ferry::engine {

/// 1, 2, 3, 5, 8 and 24 s.
std::vector<std::uint32_t> default_redelivery_ms();

/// Limits and lifetimes that shape what an execution leaves behind. One struct, its defaults
/// here (and in kept_limits) only: `ferry serve` options start from them, the runtime hands
/// them to every executor by const&, and remote workers are sent them.
struct execution_limits {
    std::string files_root;                  // for file_write
    kept_limits kept{};                      // what a run keeps of its steps
    std::int64_t page_ttl_ms = 3'600'000;    // later pages of a long list reply stay this long
    std::int64_t reply_ttl_ms = 86'400'000;  // a synchronous execution's reply, for its link
    /// A failed queue delivery is delivered again after each of these in turn, then becomes a
    /// dead letter (SPEC §3).
    std::vector<std::uint32_t> redelivery_ms = default_redelivery_ms();
};

}  // namespace ferry::engine
