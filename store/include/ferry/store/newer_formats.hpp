#pragma once

#include <cstdint>
#include <string_view>

namespace ferry::store {

/// Whether a format byte names one of the next formats after `current`: written by a newer
/// ferry (a cluster in the middle of an upgrade), to be left for a ferry that reads it. A byte
/// far past it is damage, not a format.
constexpr bool is_newer_format(std::uint8_t format, std::uint8_t current) {
    constexpr std::uint8_t formats_ahead = 16;
    return format > current && format - current <= formats_ahead;
}

/// Whether encode_execution()'s or encode_document()'s bytes are of such a newer format.
bool newer_execution_format(std::string_view bytes);
bool newer_document_format(std::string_view bytes);

}  // namespace ferry::store
