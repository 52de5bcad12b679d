#pragma once

#include <rocksdb/env.h>

#include <memory>
#include <string>

namespace ferry::store {

/// RocksDB's own log, the LOG file of the store's directory (the previous run's is kept as
/// LOG.old), with RocksDB's warnings and errors also in ferry's log where operators look.
///
/// It replaces RocksDB's file logger, which aborts the process (an assertion left on in
/// Debian's build) when it writes again after a write failed, as on a full disk: here a
/// failed write only loses that line.
std::shared_ptr<rocksdb::Logger> open_rocksdb_log(const std::string& directory);

}  // namespace ferry::store
