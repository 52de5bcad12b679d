#pragma once

#include <cstddef>

namespace ferry::engine {

/// How the gateway decides about calls.
struct gateway_settings {
    /// Synchronous executions of one operation running at once (0: unlimited) unless its
    /// process sets its own max_concurrent_executions.
    std::size_t max_concurrent_executions = 10;
};

}  // namespace ferry::engine
