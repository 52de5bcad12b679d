#include "version.hpp"

namespace ferry::ingress {

std::string_view ferry_version() { return FERRY_VERSION; }

}  // namespace ferry::ingress
