#pragma once

#include <string_view>

namespace ferry::ingress {

/// ferry's version ("0.1.0", the project's in CMakeLists.txt).
std::string_view ferry_version();

}  // namespace ferry::ingress
