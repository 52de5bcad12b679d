// Executions set aside because their record does not decode (docs/storage.md, "Damaged
// stores"): the record stays as it was, noted under meta "damaged/<id>".
#include <chrono>

#include "store_impl.hpp"

namespace ferry::store {

boost::system::result<void> store::set_aside_damaged(std::string_view execution_id,
                                                     std::uint64_t pending_seq,
                                                     std::string_view reason) {
    rocksdb::WriteBatch wb;
    wb.Delete(impl_->pending, encode_be64(pending_seq));
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    wb.Put(impl_->meta, keys::damaged_prefix + std::string(execution_id),
           encode_be64(static_cast<std::uint64_t>(now)) + std::string(reason));
    return impl_->write(wb, true, "set aside a damaged execution");
}

boost::system::result<std::vector<std::pair<std::string, std::string>>> store::list_damaged()
    const {
    std::vector<std::pair<std::string, std::string>> out;
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->meta));
    for (it->Seek(keys::damaged_prefix); it->Valid() && it->key().starts_with(keys::damaged_prefix);
         it->Next()) {
        const auto value = it->value().ToStringView();
        out.emplace_back(std::string(it->key().ToStringView().substr(keys::damaged_prefix.size())),
                         std::string(value.size() >= 8 ? value.substr(8) : value));
    }
    if (!it->status().ok()) return from_status(it->status(), "list damaged executions");
    return out;
}

}  // namespace ferry::store
