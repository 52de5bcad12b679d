#pragma once

// The store's private state, shared by the files that implement store's methods.

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "ferry/store/codec.hpp"
#include "ferry/store/error.hpp"
#include "ferry/store/histogram.hpp"
#include "ferry/store/log.hpp"
#include "ferry/store/store.hpp"
#include "keys.hpp"

namespace ferry::store {

/// Logs a failed RocksDB call. A failing disk fails every write, thousands a second: after
/// the first line, failures are logged at most once a second, with how many were not.
void log_failure(const char* what, const rocksdb::Status& status);

inline boost::system::error_code from_status(const rocksdb::Status& status, const char* what) {
    if (status.IsNotFound()) return errc::not_found;
    // The RocksDB detail is lost past this point, so it is logged here.
    log_failure(what, status);
    return status.IsCorruption() ? errc::corrupt_record : errc::io_failure;
}

inline rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

struct store::impl {
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::ColumnFamilyHandle* documents = nullptr;
    rocksdb::ColumnFamilyHandle* executions = nullptr;
    rocksdb::ColumnFamilyHandle* pending = nullptr;
    rocksdb::ColumnFamilyHandle* meta = nullptr;
    rocksdb::ColumnFamilyHandle* answers = nullptr;

    std::mutex commit_mutex;    // pending seqs are assigned in commit order
    std::mutex sequence_mutex;  // read-increment-write of sequential values
    std::atomic<std::uint64_t> last_seq{0};
    std::atomic<std::uint64_t> synced_writes{0};
    std::atomic<std::uint64_t> sync_micros{0};
    histogram sync_seconds{histogram::latency()};
    std::atomic<std::uint64_t> executions_committed{0};
    std::atomic<std::uint64_t> documents_committed{0};

    ~impl() {
        if (!db) return;
        // A stop leaves no memtable behind, so the next start replays no WAL (after a backlog
        // of 200,000 posts that was 270 MB and a second before the port opened). Should the
        // flush fail (a full disk), the WAL still holds everything.
        db->Flush(rocksdb::FlushOptions(), handles).PermitUncheckedError();
        for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
        db->Close().PermitUncheckedError();
    }

    // Calls visit(id, value) for every "<prefix><id>" key of the meta family after
    // "<prefix><after>", in id order, until it returns false.
    template <typename Visit>
    boost::system::result<void> scan_meta(const std::string& prefix, std::string_view after,
                                          Visit&& visit) const {
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), meta));
        const auto start = prefix + std::string(after);
        it->Seek(start);
        if (!after.empty() && it->Valid() && it->key().ToStringView() == start) it->Next();
        for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
            const auto key = it->key().ToStringView();
            if (!visit(key.substr(prefix.size()), it->value().ToStringView())) break;
        }
        if (!it->status().ok()) return from_status(it->status(), "scan meta keys");
        return {};
    }

    boost::system::result<void> write(rocksdb::WriteBatch& batch, bool sync, const char* what) {
        rocksdb::WriteOptions options;
        options.sync = sync;
        const auto status = db->Write(options, &batch);
        if (status.ok()) return {};
        // A write reads no block: a corruption here is RocksDB's background error, set when a
        // compaction met a damaged table file. Every write fails from then on.
        if (status.IsCorruption()) {
            log_failure(what, status);
            return errc::damaged_store;
        }
        return from_status(status, what);
    }

    // Uploads a previous server was receiving when it stopped were never acknowledged: their
    // staged documents go.
    boost::system::result<void> discard_abandoned_uploads() {
        rocksdb::WriteBatch batch;
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), meta));
        for (it->Seek(keys::upload_prefix);
             it->Valid() && it->key().starts_with(keys::upload_prefix); it->Next()) {
            const auto id = it->key().ToString().substr(keys::upload_prefix.size());
            log::warn("store", "discarding an unfinished upload", {{"execution_id", id}});
            batch.DeleteRange(documents, id + "-", id + ".");
            batch.Delete(meta, it->key());
        }
        if (!it->status().ok()) return from_status(it->status(), "read uploads");
        if (batch.Count() == 0) return {};
        return write(batch, true, "discard uploads");
    }

    boost::system::result<std::uint64_t> recover_last_seq() {
        std::string value;
        auto status = db->Get(rocksdb::ReadOptions(), meta, keys::last_seq, &value);
        std::uint64_t seq = 0;
        if (status.ok()) {
            const auto decoded = decode_be64(value);
            if (!decoded) return errc::corrupt_record;
            seq = *decoded;
        } else if (!status.IsNotFound()) {
            return from_status(status, "read last_seq");
        }
        // The pending queue's last key is the authority should meta lag behind it.
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), pending));
        it->SeekToLast();
        if (it->Valid()) {
            const auto key = decode_be64(std::string_view(it->key().data(), it->key().size()));
            if (key && *key > seq) seq = *key;
        }
        return seq;
    }
};

}  // namespace ferry::store
