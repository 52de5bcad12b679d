#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/store/records.hpp"

namespace ferry::ingress {

/// Milliseconds since the epoch, or ISO 8601 UTC: 2026-11-24, 2026-11-24T10:00:00Z,
/// 2026-11-24T10:00:00.250Z.
std::optional<std::int64_t> parse_time(std::string_view text);

/// Applies one query parameter of an execution filter (process, state, from, to, error) to
/// `filter`. False when `key` is none of them; `bad` is set to a sentence when the value is.
bool read_filter_parameter(std::string_view key, const std::string& value,
                           store::execution_filter& filter, std::string& bad);

}  // namespace ferry::ingress
