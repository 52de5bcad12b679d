#include "console/previews.hpp"

namespace ferry::ingress::console {

std::string_view preview_of(std::string_view data, std::size_t limit) {
    if (data.size() <= limit) return data;
    auto end = limit;
    while (end > 0 && (static_cast<unsigned char>(data[end]) & 0xC0) == 0x80) --end;
    return data.substr(0, end);
}

}  // namespace ferry::ingress::console
