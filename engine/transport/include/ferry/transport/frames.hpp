#pragma once

#include <string>
#include <vector>

namespace ferry::transport {

/// The frames of one message. The transport knows bytes only; engine/ gives them meaning.
using frames = std::vector<std::string>;

}  // namespace ferry::transport
