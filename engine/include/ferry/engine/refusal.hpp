#pragma once

#include <string>

namespace ferry::engine {

/// Why the engine will not do what an operator asked: `error` is a stable code the admin API
/// answers with (docs/admin-api.md), `detail` a sentence saying what to do about it.
struct refusal {
    std::string error;
    std::string detail;
};

}  // namespace ferry::engine
