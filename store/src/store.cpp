#include "ferry/store/store.hpp"

#include <rocksdb/slice_transform.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "rocksdb_log.hpp"
#include "store_impl.hpp"

namespace ferry::store {
namespace {

// The memtable insert-hint prefix of the documents, executions and pending families: one hint
// per first byte (our keys there share it). RocksDB 7.8 keeps one hint per prefix for a
// memtable's point entries and its range deletions alike, and a hint taken across the two
// corrupts the skiplist, so range deletions must stay outside the domain: their start keys
// are "" (retention) or "<execution id>-" (an upload's parts), and no point key ends in '-'.
class hint_prefix final : public rocksdb::SliceTransform {
public:
    const char* Name() const override { return "ferry.HintPrefix"; }
    rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return {key.data(), 1}; }
    bool InDomain(const rocksdb::Slice& key) const override {
        return !key.empty() && key[key.size() - 1] != '-';
    }
};

}  // namespace

store::store(std::unique_ptr<impl> impl) : impl_(std::move(impl)) {}
store::~store() = default;

boost::system::result<std::unique_ptr<store>> store::open(const std::string& directory) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    options.info_log = open_rocksdb_log(directory);
    options.IncreaseParallelism(2);
    // Many small values arrive together; a larger memtable keeps flushes rare under bulk load.
    options.write_buffer_size = 64 << 20;
    // ...but all memtables together stay under this, so that a bulk post of any size keeps
    // the server's memory flat (they are flushed instead of growing).
    options.db_write_buffer_size = 128 << 20;
    // A WAL file is kept until every family that wrote to it has flushed, and the small ones
    // (pending, meta) fill their memtables slowly: past this size they are flushed, so that
    // the WAL replayed after a crash stays small (RocksDB's default lets it reach 3 GB here).
    options.max_total_wal_size = 256 << 20;

    // Executors rewrite keys the intake wrote moments earlier (an execution's record, its
    // pending entry) and add step documents beside the intake's: each such insert lands just
    // before an older entry, which the skiplist's sequential-insert shortcut never expects, so
    // without a hint every one searched the whole memtable from the top. An insert hint is
    // repaired from the bottom instead. Hints are ignored by concurrent memtable writes, hence
    // those are off: the write group's leader inserts for everyone (measured: about 9 % more
    // durable acks at 64 connections).
    options.allow_concurrent_memtable_write = false;
    rocksdb::ColumnFamilyOptions cf_options(options);
    rocksdb::ColumnFamilyOptions hinted_options(options);
    hinted_options.memtable_insert_with_hint_prefix_extractor = std::make_shared<hint_prefix>();
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, cf_options},
        {keys::documents, hinted_options},
        {keys::executions, hinted_options},
        {keys::pending, hinted_options},
        {keys::meta, cf_options},
        {keys::answers, cf_options},
    };
    // A store that exists must have every column family: one missing was lost, and creating it
    // empty would silently drop what it held (a new store gets them all).
    std::vector<std::string> existing;
    if (rocksdb::DB::ListColumnFamilies(options, directory, &existing).ok()) {
        for (const auto& family : families) {
            if (std::find(existing.begin(), existing.end(), family.name) == existing.end()) {
                log::error("store",
                           "the store has lost a column family: it is damaged, and ferry will not "
                           "open it (run `ferry check --data DIR` and restore it from a backup)",
                           {{"directory", directory}, {"column_family", family.name}});
                return errc::corrupt_record;
            }
        }
    }
    auto state = std::make_unique<impl>();
    rocksdb::DB* raw = nullptr;
    const auto status = rocksdb::DB::Open(options, directory, families, &state->handles, &raw);
    if (!status.ok()) return from_status(status, "open");
    state->db.reset(raw);
    state->documents = state->handles[1];
    state->executions = state->handles[2];
    state->pending = state->handles[3];
    state->meta = state->handles[4];
    state->answers = state->handles[5];

    std::string format;
    const auto fs =
        state->db->Get(rocksdb::ReadOptions(), state->meta, keys::format_version, &format);
    if (fs.IsNotFound()) {
        rocksdb::WriteBatch batch;
        batch.Put(state->meta, keys::format_version, keys::current_format);
        if (auto written = state->write(batch, true, "write format version"); !written) {
            return written.error();
        }
    } else if (!fs.ok()) {
        return from_status(fs, "read format version");
    } else if (format != keys::current_format) {
        log::error("store",
                   "the store's format version is not one this ferry reads (a newer ferry wrote "
                   "it?): nothing was changed; run the ferry that wrote it",
                   {{"directory", directory},
                    {"format_version", format},
                    {"readable_version", keys::current_format}});
        return errc::corrupt_record;
    }
    if (auto discarded = state->discard_abandoned_uploads(); !discarded) return discarded.error();
    auto seq = state->recover_last_seq();
    if (!seq) return seq.error();
    state->last_seq = *seq;
    return std::unique_ptr<store>(new store(std::move(state)));
}

std::uint64_t store::put_new_executions(rocksdb::WriteBatch& wb, std::span<new_execution> batch) {
    using part = new_execution::part;
    std::uint64_t seq = impl_->last_seq.load();
    for (auto& execution : batch) {
        const auto& id = execution.record.id;
        const auto upload_key = keys::upload_prefix + id;
        if (execution.arrives == part::aborted) {
            // Document ids are "<execution>-<n>": every one sorts in [id + "-", id + ".").
            wb.DeleteRange(impl_->documents, id + "-", id + ".");
            wb.Delete(impl_->meta, upload_key);
            continue;
        }
        const auto& ids = execution.record.document_ids;
        for (std::size_t i = 0; i < execution.documents.size(); ++i) {
            wb.Put(impl_->documents, ids.at(execution.first_document + i),
                   encode_document(execution.documents[i]));
        }
        if (execution.arrives == part::staged) {
            wb.Put(impl_->meta, upload_key, "");
            continue;
        }
        if (execution.arrives == part::closing) wb.Delete(impl_->meta, upload_key);
        for (const auto& [key, value] : execution.answers) wb.Put(impl_->answers, key, value);
        // A queue message may wait outside the pending queue, and a cluster's execution runs
        // outside it (keys.hpp).
        if (execution.outbox) {
            execution.record.pending_seq = 0;
            wb.Put(impl_->meta, keys::outbox_prefix + id,
                   encode_be64(static_cast<std::uint64_t>(execution.record.created_ms)) +
                       execution.outbox_claim);
        } else if (!execution.parked_on.empty()) {
            execution.record.pending_seq = 0;
            wb.Put(impl_->meta, keys::parked_prefix + id, execution.parked_on);
        } else if (execution.not_before_ms != 0) {
            execution.record.pending_seq = 0;
            wb.Put(impl_->meta, keys::delayed_prefix + id,
                   encode_be64(static_cast<std::uint64_t>(execution.not_before_ms)));
        } else {
            execution.record.pending_seq = ++seq;
            wb.Put(impl_->pending, encode_be64(seq), id);
        }
        wb.Put(impl_->executions, id, encode_execution(execution.record));
    }
    wb.Put(impl_->meta, keys::last_seq, encode_be64(seq));
    return seq;
}

void store::count_new_executions(std::span<const new_execution> batch, std::uint64_t seq) {
    std::uint64_t documents = 0;
    std::uint64_t executions = 0;
    for (const auto& execution : batch) {
        documents += execution.documents.size();
        executions += execution.queues() ? 1 : 0;
    }
    impl_->last_seq = seq;
    impl_->executions_committed.fetch_add(executions, std::memory_order_relaxed);
    impl_->documents_committed.fetch_add(documents, std::memory_order_relaxed);
}

boost::system::result<std::uint64_t> store::append(std::span<new_execution> batch) {
    std::lock_guard lock(impl_->commit_mutex);
    rocksdb::WriteBatch wb;
    const auto seq = put_new_executions(wb, batch);
    if (auto written = impl_->write(wb, false, "append"); !written) return written.error();
    count_new_executions(batch, seq);
    return seq;
}

boost::system::result<void> store::sync() {
    const auto start = std::chrono::steady_clock::now();
    // A synced write of a WAL-only record, not SyncWAL(): a write first checks whether an
    // earlier write failed (a full disk) and refuses at once, while SyncWAL() would sync the
    // log file that write failed on, which Debian's RocksDB answers with a failed assertion
    // (an abort) instead of an error. The sync covers every write before it.
    rocksdb::WriteBatch marker;
    if (const auto put = marker.PutLogData("sync"); !put.ok()) return from_status(put, "sync WAL");
    if (auto synced = impl_->write(marker, true, "sync WAL"); !synced) return synced.error();
    const auto took = std::chrono::steady_clock::now() - start;
    impl_->synced_writes.fetch_add(1, std::memory_order_relaxed);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
    impl_->sync_micros.fetch_add(micros, std::memory_order_relaxed);
    impl_->sync_seconds.observe(static_cast<double>(micros) / 1e6);
    return {};
}

boost::system::result<std::uint64_t> store::commit(std::span<new_execution> batch) {
    const auto appended = append(batch);
    if (!appended) return appended.error();
    if (auto synced = sync(); !synced) return synced.error();
    return *appended;
}

boost::system::result<execution_record> store::read_execution(std::string_view id) const {
    rocksdb::PinnableSlice value;
    const auto status =
        impl_->db->Get(rocksdb::ReadOptions(), impl_->executions, slice(id), &value);
    if (!status.ok()) return from_status(status, "read execution");
    return decode_execution(std::string_view(value.data(), value.size()));
}

namespace {

// The first 12 hex digits of the ids created at `ms` (ids start with their creation time).
std::string id_time_prefix(std::int64_t ms) {
    char text[24];
    std::snprintf(text, sizeof text, "%012llx", static_cast<unsigned long long>(ms));
    return text;
}

bool passes(const execution_record& r, const execution_filter& f) {
    if (!f.process.empty() && r.process != f.process) return false;
    if (f.state && r.state != *f.state) return false;
    if (f.from_ms != 0 && r.created_ms < f.from_ms) return false;
    if (f.to_ms != 0 && r.created_ms >= f.to_ms) return false;
    if (!f.error_contains.empty() && r.error.find(f.error_contains) == std::string::npos) {
        return false;
    }
    for (const auto& [name, value] : f.property_equals) {
        const auto it = r.process_props.find(name);
        if (it == r.process_props.end() || it->second != value) return false;
    }
    return true;
}

}  // namespace

boost::system::result<execution_page> store::list_executions(
    const execution_filter& filter, std::string_view cursor, std::size_t limit,
    const std::function<void(execution_record&)>& adjust, std::size_t scan_limit) const {
    execution_page page;
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->executions));
    // Start below the cursor and below the end of the time range, whichever is lower.
    std::string start = std::string(cursor);
    if (filter.to_ms != 0) {
        const auto before = id_time_prefix(filter.to_ms);
        if (start.empty() || before < start) start = before;
    }
    if (start.empty()) {
        it->SeekToLast();
    } else {
        it->SeekForPrev(slice(start));
        if (it->Valid() && it->key().ToStringView() == start) it->Prev();
    }
    const auto floor = filter.from_ms != 0 ? id_time_prefix(filter.from_ms) : std::string();
    std::string last_read;
    for (; it->Valid(); it->Prev()) {
        const auto key = it->key().ToStringView();
        if (!floor.empty() && key < floor) return page;  // past the range: no next page
        if (page.executions.size() >= limit || page.scanned >= scan_limit) {
            page.next_cursor = last_read;
            return page;
        }
        ++page.scanned;
        last_read = std::string(key);
        auto record = decode_execution(it->value().ToStringView());
        if (!record) continue;  // an unreadable record is skipped in listings, not fatal
        if (adjust) adjust(*record);
        if (passes(*record, filter)) page.executions.push_back(std::move(*record));
    }
    if (!it->status().ok()) return from_status(it->status(), "list executions");
    return page;
}

boost::system::result<document> store::read_document(std::string_view id) const {
    rocksdb::PinnableSlice value;
    const auto status = impl_->db->Get(rocksdb::ReadOptions(), impl_->documents, slice(id), &value);
    if (!status.ok()) return from_status(status, "read document");
    return decode_document(std::string_view(value.data(), value.size()));
}

namespace {

template <class T, class Decode>
std::vector<boost::system::result<T>> read_many(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf,
                                                std::span<const std::string_view> ids,
                                                const char* what, Decode decode) {
    std::vector<rocksdb::Slice> keys;
    keys.reserve(ids.size());
    for (const auto id : ids) keys.push_back(slice(id));
    std::vector<rocksdb::PinnableSlice> values(ids.size());
    std::vector<rocksdb::Status> statuses(ids.size());
    db.MultiGet(rocksdb::ReadOptions(), cf, keys.size(), keys.data(), values.data(),
                statuses.data());
    std::vector<boost::system::result<T>> out;
    out.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (!statuses[i].ok()) {
            out.emplace_back(from_status(statuses[i], what));
        } else {
            out.push_back(decode(std::string_view(values[i].data(), values[i].size())));
        }
    }
    return out;
}

}  // namespace

std::vector<boost::system::result<execution_record>> store::read_executions(
    std::span<const std::string_view> ids) const {
    return read_many<execution_record>(*impl_->db, impl_->executions, ids, "read execution",
                                       [](std::string_view v) { return decode_execution(v); });
}

std::vector<boost::system::result<std::string>> store::read_stored_executions(
    std::span<const std::string_view> ids) const {
    return read_many<std::string>(*impl_->db, impl_->executions, ids, "read execution",
                                  [](std::string_view v) { return std::string(v); });
}

std::vector<boost::system::result<std::string>> store::read_stored_documents(
    std::span<const std::string_view> ids) const {
    return read_many<std::string>(*impl_->db, impl_->documents, ids, "read document",
                                  [](std::string_view v) -> boost::system::result<std::string> {
                                      if (!check_document(v)) return errc::corrupt_record;
                                      return std::string(v);
                                  });
}

std::vector<boost::system::result<document>> store::read_documents(
    std::span<const std::string_view> ids) const {
    return read_many<document>(*impl_->db, impl_->documents, ids, "read document",
                               [](std::string_view v) { return decode_document(v); });
}

boost::system::result<std::vector<pending_entry>> store::read_pending(std::uint64_t from_seq,
                                                                      std::size_t limit) const {
    std::vector<pending_entry> out;
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->pending));
    // Seek jumps over the tombstones of finished entries below from_seq.
    for (it->Seek(encode_be64(from_seq)); it->Valid() && out.size() < limit; it->Next()) {
        const auto seq = decode_be64(std::string_view(it->key().data(), it->key().size()));
        if (!seq) return errc::corrupt_record;
        out.push_back({*seq, it->value().ToString()});
    }
    if (!it->status().ok()) return from_status(it->status(), "read pending");
    return out;
}

boost::system::result<void> store::update_executions(std::span<const execution_record> records) {
    rocksdb::WriteBatch wb;
    for (const auto& rec : records) wb.Put(impl_->executions, rec.id, encode_execution(rec));
    return impl_->write(wb, false, "update executions");
}

namespace {

void put_running(rocksdb::WriteBatch& wb, rocksdb::ColumnFamilyHandle* meta, std::uint32_t slot,
                 std::span<const std::uint64_t> seqs) {
    std::string value;
    value.reserve(seqs.size() * 8);
    for (const auto seq : seqs) value += encode_be64(seq);
    wb.Put(meta, keys::running_prefix + std::to_string(slot), value);
}

}  // namespace

boost::system::result<void> store::record_running(std::uint32_t slot,
                                                  std::span<const std::uint64_t> seqs) {
    rocksdb::WriteBatch wb;
    put_running(wb, impl_->meta, slot, seqs);
    return impl_->write(wb, false, "record running");
}

boost::system::result<std::size_t> store::recover_interrupted() {
    rocksdb::WriteBatch wb;
    std::size_t counted = 0;
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->meta));
    for (it->Seek(keys::running_prefix); it->Valid() && it->key().starts_with(keys::running_prefix);
         it->Next()) {
        const std::string_view seqs(it->value().data(), it->value().size());
        for (std::size_t at = 0; at + 8 <= seqs.size(); at += 8) {
            std::string id;
            const auto pending = impl_->db->Get(rocksdb::ReadOptions(), impl_->pending,
                                                slice(seqs.substr(at, 8)), &id);
            if (pending.IsNotFound()) continue;  // it finished after all
            if (!pending.ok()) return from_status(pending, "recover interrupted");
            auto record = read_execution(id);
            if (record.error() == errc::corrupt_record) {
                // Not rewritten: what cannot be read is never overwritten. Its claim sets it
                // aside (pending_queue).
                log::error("store", "an interrupted execution's record does not decode",
                           {{"execution_id", id}});
                continue;
            }
            if (!record) return record.error();
            ++record->attempts;
            wb.Put(impl_->executions, id, encode_execution(*record));
            ++counted;
        }
        wb.Delete(impl_->meta, it->key());
    }
    if (!it->status().ok()) return from_status(it->status(), "recover interrupted");
    if (auto written = impl_->write(wb, true, "recover interrupted"); !written) {
        return written.error();
    }
    return counted;
}

boost::system::result<void> store::finish_executions(
    std::span<const execution_record> records,
    std::span<const std::pair<std::string, document>> step_documents,
    std::span<new_execution> started, std::span<const dead_letter> dead,
    const running_note* then_running, const encoded_outcomes* encoded) {
    rocksdb::WriteBatch wb;
    if (then_running) put_running(wb, impl_->meta, then_running->slot, then_running->seqs);
    for (const auto& [id, doc] : step_documents) wb.Put(impl_->documents, id, encode_document(doc));
    for (const auto& rec : records) {
        wb.Put(impl_->executions, rec.id, encode_execution(rec));
        wb.Delete(impl_->pending, encode_be64(rec.pending_seq));
    }
    if (encoded) {
        for (const auto& [id, bytes] : encoded->documents) wb.Put(impl_->documents, id, bytes);
        for (const auto& rec : encoded->records) {
            wb.Put(impl_->executions, rec.id, rec.bytes);
            wb.Delete(impl_->pending, encode_be64(rec.pending_seq));
        }
    }
    for (const auto& letter : dead) {
        wb.Put(impl_->meta, keys::dead_prefix + letter.execution_id, encode_dead_letter(letter));
    }
    if (started.empty()) return impl_->write(wb, false, "finish executions");
    // New pending entries take seqs in WAL order, like append().
    std::lock_guard lock(impl_->commit_mutex);
    const auto seq = put_new_executions(wb, started);
    if (auto written = impl_->write(wb, false, "finish executions"); !written) return written;
    count_new_executions(started, seq);
    return {};
}

boost::system::result<std::uint64_t> store::reserve_sequence(std::string_view name,
                                                             std::uint64_t count) {
    std::lock_guard lock(impl_->sequence_mutex);
    const auto key = keys::sequence_prefix + std::string(name);
    std::string value;
    const auto status = impl_->db->Get(rocksdb::ReadOptions(), impl_->meta, key, &value);
    std::uint64_t next = 1;
    if (status.ok()) {
        const auto stored = decode_be64(value);
        if (!stored) return errc::corrupt_record;
        next = *stored;
    } else if (!status.IsNotFound()) {
        return from_status(status, "read sequence");
    }
    rocksdb::WriteBatch wb;
    wb.Put(impl_->meta, key, encode_be64(next + count));
    if (auto written = impl_->write(wb, true, "reserve sequence"); !written) return written.error();
    return next;
}

boost::system::result<void> store::put_answers(
    std::span<const std::pair<std::string, std::string>> entries) {
    if (entries.empty()) return {};
    rocksdb::WriteBatch wb;
    for (const auto& [key, value] : entries) wb.Put(impl_->answers, key, value);
    return impl_->write(wb, false, "put answers");
}

boost::system::result<std::string> store::read_answer(std::string_view key) const {
    std::string value;
    const auto status = impl_->db->Get(rocksdb::ReadOptions(), impl_->answers, slice(key), &value);
    if (!status.ok()) return from_status(status, "read answer");
    return value;
}

boost::system::result<std::size_t> store::delete_expired_answers(std::int64_t now_ms) {
    rocksdb::WriteBatch wb;
    std::size_t count = 0;
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->answers));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const auto expires = decode_be64(
            std::string_view(it->value().data(), std::min<std::size_t>(8, it->value().size())));
        if (!expires || (*expires != 0 && static_cast<std::int64_t>(*expires) <= now_ms)) {
            wb.Delete(impl_->answers, it->key());
            ++count;
        }
    }
    if (!it->status().ok()) return from_status(it->status(), "sweep answers");
    if (count == 0) return count;
    if (auto written = impl_->write(wb, false, "delete expired answers"); !written) {
        return written.error();
    }
    return count;
}

boost::system::result<std::string> store::delete_history_before(std::int64_t cutoff_ms) {
    if (cutoff_ms <= 0) return std::string();
    std::string end = id_time_prefix(cutoff_ms);
    // Unfinished work keeps everything from its id on.
    {
        std::unique_ptr<rocksdb::Iterator> it(
            impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->pending));
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            if (it->value().compare(slice(end)) < 0) end = it->value().ToString();
        }
        if (!it->status().ok()) return from_status(it->status(), "read pending");
    }
    {
        std::unique_ptr<rocksdb::Iterator> it(
            impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->meta));
        for (it->Seek(keys::upload_prefix);
             it->Valid() && it->key().starts_with(keys::upload_prefix); it->Next()) {
            const auto id = it->key().ToString().substr(keys::upload_prefix.size());
            if (id < end) end = id;
        }
        if (!it->status().ok()) return from_status(it->status(), "read uploads");
        // Waiting queue messages: their keys sort by id, so the first of each is the oldest.
        for (const auto& prefix : {keys::delayed_prefix, keys::parked_prefix}) {
            it->Seek(prefix);
            if (it->Valid() && it->key().starts_with(prefix)) {
                const auto id = it->key().ToString().substr(prefix.size());
                if (id < end) end = id;
            }
        }
        if (!it->status().ok()) return from_status(it->status(), "read waiting messages");
    }
    if (end.empty()) return end;
    rocksdb::WriteBatch wb;
    wb.DeleteRange(impl_->executions, rocksdb::Slice(), end);
    wb.DeleteRange(impl_->documents, rocksdb::Slice(), end);
    wb.DeleteRange(impl_->meta, keys::dead_prefix, keys::dead_prefix + end);
    if (auto written = impl_->write(wb, false, "delete history"); !written) return written.error();
    return end;
}

boost::system::result<void> store::put_control(std::span<const control_change> changes) {
    rocksdb::WriteBatch wb;
    for (const auto& [key, value] : changes) {
        if (value) {
            wb.Put(impl_->meta, keys::control_prefix + key, *value);
        } else {
            wb.Delete(impl_->meta, keys::control_prefix + key);
        }
    }
    return impl_->write(wb, true, "put control");
}

boost::system::result<std::vector<std::pair<std::string, std::string>>> store::list_control(
    std::string_view prefix) const {
    std::vector<std::pair<std::string, std::string>> out;
    const auto start = keys::control_prefix + std::string(prefix);
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->meta));
    for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
        out.emplace_back(it->key().ToString().substr(keys::control_prefix.size()),
                         it->value().ToString());
    }
    if (!it->status().ok()) return from_status(it->status(), "list control");
    return out;
}

std::uint64_t store::last_seq() const { return impl_->last_seq.load(); }

store_stats store::stats() const {
    return {impl_->synced_writes.load(), impl_->sync_micros.load(),
            impl_->executions_committed.load(), impl_->documents_committed.load(),
            impl_->sync_seconds.read()};
}

}  // namespace ferry::store
