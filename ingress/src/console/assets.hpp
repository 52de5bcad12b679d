#pragma once

#include <string_view>

namespace ferry::ingress::console {

/// A file of ingress/src/console/assets/, compiled into the binary (cmake/embed_files.cmake).
struct embedded_asset {
    std::string_view name;  // "console.js"
    std::string_view content_type;
    std::string_view bytes;
};

/// The asset called `name`, null when there is none.
const embedded_asset* find_asset(std::string_view name);

}  // namespace ferry::ingress::console
