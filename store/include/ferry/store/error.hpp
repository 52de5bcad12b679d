#pragma once

#include <boost/system/error_code.hpp>

#include "ferry/errors/enum_category.hpp"

namespace ferry::store {

/// Failures of the store that callers branch on.
enum class errc {
    not_found = 1,   // no record under that key
    corrupt_record,  // a value failed to decode: never retry
    io_failure,      // RocksDB I/O error (disk full, read-only after a background error)
    shutting_down,   // store closing: stop scheduling work
    damaged_store,   // RocksDB met a block that fails its checksum and takes no more writes
};

const char* category_name(errc) noexcept;
const char* describe(errc e) noexcept;

inline const boost::system::error_category& error_category() noexcept {
    return errors::category_of<errc>();
}

inline boost::system::error_code make_error_code(errc e) noexcept { return errors::make_code(e); }

}  // namespace ferry::store

template <>
struct boost::system::is_error_code_enum<ferry::store::errc> : std::true_type {};
