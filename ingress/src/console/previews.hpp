#pragma once

#include <cstddef>
#include <string_view>

namespace ferry::ingress::console {

/// How much of a document a page shows: the rest is a download away.
constexpr std::size_t preview_bytes = 10 * 1024;

/// The first `limit` bytes of `data`, not cutting a UTF-8 sequence in two.
std::string_view preview_of(std::string_view data, std::size_t limit = preview_bytes);

}  // namespace ferry::ingress::console
