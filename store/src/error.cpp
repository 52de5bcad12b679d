#include "ferry/store/error.hpp"

namespace ferry::store {

const char* category_name(errc) noexcept { return "ferry.store"; }

const char* describe(errc e) noexcept {
    switch (e) {
        case errc::not_found:
            return "not found";
        case errc::corrupt_record:
            return "corrupt record";
        case errc::io_failure:
            return "storage I/O failure";
        case errc::shutting_down:
            return "store is shutting down";
        case errc::damaged_store:
            return "the store is damaged: a table file fails its checksum, and RocksDB takes no "
                   "more writes until it is restored (ferry check names the file)";
    }
    return "unknown store error";
}

}  // namespace ferry::store
