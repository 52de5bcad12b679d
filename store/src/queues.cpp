// The store's side of internal queues: messages waiting outside the pending queue (delayed
// redeliveries, parked messages) and dead letters. Keys in keys.hpp, docs/storage.md.
#include "store_impl.hpp"

namespace ferry::store {

boost::system::result<std::vector<waiting_entry>> store::list_delayed() const {
    std::vector<waiting_entry> out;
    auto scanned = impl_->scan_meta(keys::delayed_prefix, {}, [&](auto id, auto value) {
        const auto due = decode_be64(value);
        out.push_back({std::string(id), due ? static_cast<std::int64_t>(*due) : 0, {}});
        return true;
    });
    if (!scanned) return scanned.error();
    return out;
}

boost::system::result<std::uint64_t> store::queue_delayed(std::span<const std::string> ids) {
    std::lock_guard lock(impl_->commit_mutex);  // seqs in WAL order, like append()
    rocksdb::WriteBatch wb;
    std::uint64_t seq = impl_->last_seq.load();
    const auto first = seq;
    for (const auto& id : ids) {
        std::string due;
        const auto key = keys::delayed_prefix + id;
        const auto found = impl_->db->Get(rocksdb::ReadOptions(), impl_->meta, key, &due);
        if (found.IsNotFound()) continue;  // already queued
        if (!found.ok()) return from_status(found, "read delayed");
        auto record = read_execution(id);
        if (!record) return record.error();
        record->pending_seq = ++seq;
        wb.Put(impl_->executions, id, encode_execution(*record));
        wb.Put(impl_->pending, encode_be64(seq), id);
        wb.Delete(impl_->meta, key);
    }
    if (seq == first) return 0;
    wb.Put(impl_->meta, keys::last_seq, encode_be64(seq));
    if (auto written = impl_->write(wb, true, "queue delayed"); !written) return written.error();
    impl_->last_seq = seq;
    return seq;
}

boost::system::result<std::vector<waiting_entry>> store::list_parked() const {
    std::vector<waiting_entry> out;
    auto scanned = impl_->scan_meta(keys::parked_prefix, {}, [&](auto id, auto value) {
        out.push_back({std::string(id), 0, std::string(value)});
        return true;
    });
    if (!scanned) return scanned.error();
    return out;
}

boost::system::result<std::uint64_t> store::release_parked(std::span<execution_record> assigned,
                                                           std::span<new_execution> copies) {
    std::lock_guard lock(impl_->commit_mutex);
    rocksdb::WriteBatch wb;
    const auto before = impl_->last_seq.load();
    std::uint64_t seq = before;
    for (auto& record : assigned) {
        record.pending_seq = ++seq;
        wb.Put(impl_->executions, record.id, encode_execution(record));
        wb.Put(impl_->pending, encode_be64(seq), record.id);
        wb.Delete(impl_->meta, keys::parked_prefix + record.id);
    }
    wb.Put(impl_->meta, keys::last_seq, encode_be64(seq));
    impl_->last_seq = seq;  // put_new_executions goes on from here
    seq = put_new_executions(wb, copies);
    if (auto written = impl_->write(wb, true, "release parked"); !written) {
        impl_->last_seq = before;
        return written.error();
    }
    count_new_executions(copies, seq);
    return seq;
}

boost::system::result<std::vector<outbox_entry>> store::list_outbox() const {
    std::vector<outbox_entry> out;
    auto scanned = impl_->scan_meta(keys::outbox_prefix, {}, [&](auto id, auto value) {
        // 8 bytes big-endian: when stored; then the idempotency claim's key, if any.
        const auto stored = value.size() >= 8 ? decode_be64(value.substr(0, 8)) : std::nullopt;
        out.push_back({std::string(id), stored ? static_cast<std::int64_t>(*stored) : 0,
                       value.size() > 8 ? std::string(value.substr(8)) : std::string()});
        return true;
    });
    if (!scanned) return scanned.error();
    return out;
}

boost::system::result<void> store::drop_from_outbox(std::span<const std::string> ids) {
    rocksdb::WriteBatch wb;
    for (const auto& id : ids) wb.Delete(impl_->meta, keys::outbox_prefix + id);
    return impl_->write(wb, false, "drop from the outbox");
}

boost::system::result<std::vector<dead_letter>> store::list_dead_letters(std::string_view queue,
                                                                         std::string_view cursor,
                                                                         std::size_t limit) const {
    std::vector<dead_letter> out;
    auto scanned = impl_->scan_meta(keys::dead_prefix, cursor, [&](auto id, auto value) {
        auto letter = decode_dead_letter(id, value);
        if (letter && (queue.empty() || letter->queue == queue)) {
            out.push_back(std::move(*letter));
        }
        return out.size() < limit;
    });
    if (!scanned) return scanned.error();
    return out;
}

boost::system::result<dead_letter> store::read_dead_letter(std::string_view id) const {
    std::string value;
    const auto key = keys::dead_prefix + std::string(id);
    const auto found = impl_->db->Get(rocksdb::ReadOptions(), impl_->meta, key, &value);
    if (!found.ok()) return from_status(found, "read dead letter");
    return decode_dead_letter(id, value);
}

boost::system::result<void> store::remove_dead_letters(std::span<const std::string> ids) {
    rocksdb::WriteBatch wb;
    for (const auto& id : ids) wb.Delete(impl_->meta, keys::dead_prefix + id);
    return impl_->write(wb, true, "remove dead letters");
}

}  // namespace ferry::store
