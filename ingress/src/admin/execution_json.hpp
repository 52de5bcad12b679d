#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string_view>

#include "ferry/store/records.hpp"

namespace ferry::ingress {

/// ISO 8601 UTC with milliseconds ("2026-11-24T10:00:00.000Z"), null for 0 (not yet).
boost::json::value timestamp(std::int64_t ms);

/// What a listing shows of an execution: id, process, version, state, times, duration,
/// attempts, document count, error.
boost::json::object execution_summary(const store::execution_record& record);

}  // namespace ferry::ingress
