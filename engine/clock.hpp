#pragma once

#include <chrono>
#include <cstdint>

namespace ferry::engine {

/// Wall-clock milliseconds since the Unix epoch: the unit of every stored timestamp.
inline std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace ferry::engine
