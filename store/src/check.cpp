// store::check_store: `ferry check --data DIR`, a read-only pass over every column family.
#include "ferry/store/check.hpp"

#include <rocksdb/db.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "ferry/store/codec.hpp"
#include "ferry/store/records.hpp"
#include "keys.hpp"

namespace ferry::store {
namespace {

class checker {
public:
    checker(check_report& report, std::size_t max_problems)
        : report_(report), max_problems_(max_problems) {}

    void problem(std::string sentence) {
        if (report_.problems.size() < max_problems_) {
            report_.problems.push_back(std::move(sentence));
        } else {
            ++report_.problems_left_out;
        }
    }

    /// A problem when an iteration stopped on an error (a checksum mismatch, a read error).
    void iterated(const rocksdb::Iterator& it, const std::string& family) {
        if (!it.status().ok()) {
            problem("column family '" + family +
                    "' cannot be read to its end: " + it.status().ToString());
        }
    }

private:
    check_report& report_;
    std::size_t max_problems_;
};

std::string shown(std::string_view key) {
    std::string out;
    for (const char c : key.substr(0, 80)) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) {
            out += c;
        } else {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    if (key.size() > 80) out += "...";
    return out;
}

std::string bytes_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

struct opened_store {
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::ColumnFamilyHandle* family(const std::string& name) const {
        for (auto* handle : handles) {
            if (handle->GetName() == name) return handle;
        }
        return nullptr;
    }
    ~opened_store() {
        if (db) {
            for (auto* handle : handles) (void)db->DestroyColumnFamilyHandle(handle);
        }
    }
};

// What a point read found. An unreadable value (a block that fails its checksum) is reported
// here, so that callers say "has no record" only of what is not there.
enum class lookup { found, missing, unreadable };

lookup read_value(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, std::string_view key,
                  std::string& value, checker& check, const std::string& what) {
    const auto status =
        db.Get(rocksdb::ReadOptions(), family, rocksdb::Slice(key.data(), key.size()), &value);
    if (status.ok()) return lookup::found;
    if (status.IsNotFound()) return lookup::missing;
    check.problem(what + " cannot be read: " + status.ToString());
    return lookup::unreadable;
}

void check_executions(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* executions, checker& check,
                      check_report& report) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), executions));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++report.executions;
        const auto id = it->key().ToStringView();
        const auto value = it->value().ToStringView();
        auto record = decode_execution(value);
        if (!record) {
            check.problem("execution record " + shown(id) + " does not decode (" +
                          bytes_text(value.size()) + ")");
        } else if (record->id != id) {
            check.problem("execution record " + shown(id) + " is stored under another id (" +
                          shown(record->id) + ")");
        }
    }
    check.iterated(*it, keys::executions);
}

void check_documents(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* documents, checker& check,
                     check_report& report) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), documents));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++report.documents;
        if (!check_document(it->value().ToStringView())) {
            check.problem("document " + shown(it->key().ToStringView()) + " does not decode (" +
                          bytes_text(it->value().size()) + ")");
        }
    }
    check.iterated(*it, keys::documents);
}

// An execution that a queue entry, outbox entry or dead letter names must be there.
void must_exist(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* executions, std::string_view id,
                const std::string& named_by, checker& check) {
    std::string value;
    if (read_value(db, executions, id, value, check, "execution record " + shown(id)) ==
        lookup::missing) {
        check.problem(named_by + " names execution " + shown(id) + ", which has no record");
    }
}

void check_pending(rocksdb::DB& db, const opened_store& store, std::uint64_t last_seq,
                   checker& check, check_report& report) {
    auto* executions = store.family(keys::executions);
    auto* documents = store.family(keys::documents);
    std::unique_ptr<rocksdb::Iterator> it(
        db.NewIterator(rocksdb::ReadOptions(), store.family(keys::pending)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++report.pending;
        const auto key = it->key().ToStringView();
        const std::string id(it->value().ToStringView());
        const auto seq = decode_be64(key);
        if (!seq) {
            check.problem("pending entry " + shown(key) +
                          " has a key that is not a sequence value");
            continue;
        }
        const auto entry = "pending entry " + std::to_string(*seq);
        if (*seq > last_seq) {
            check.problem(entry + " is beyond the last sequence value handed out (" +
                          std::to_string(last_seq) + "): that value could be handed out twice");
        }
        std::string value;
        const auto found =
            read_value(db, executions, id, value, check, "execution record " + shown(id));
        if (found == lookup::missing) {
            check.problem(entry + " names execution " + shown(id) + ", which has no record");
        }
        if (found != lookup::found) continue;
        const auto record = decode_execution(value);
        if (!record) continue;  // reported with the executions
        if (record->pending_seq != *seq) {
            check.problem(entry + " names execution " + shown(id) + ", whose record says " +
                          "it is pending entry " + std::to_string(record->pending_seq));
        }
        if (record->state != execution_state::queued && record->state != execution_state::running) {
            check.problem(entry + " names execution " + shown(id) + ", which has finished (" +
                          std::string(to_string(record->state)) + ")");
        }
        for (const auto& doc_id : record->document_ids) {
            std::string doc;
            if (read_value(db, documents, doc_id, doc, check, "document " + shown(doc_id)) ==
                lookup::missing) {
                check.problem("execution " + shown(id) + " (" + entry + ") has lost its document " +
                              shown(doc_id));
            }
        }
    }
    check.iterated(*it, keys::pending);
}

// The meta column family: the last sequence value, queue waits, outbox, dead letters and
// executions set aside as damaged.
std::uint64_t check_meta(rocksdb::DB& db, const opened_store& store, checker& check,
                         check_report& report) {
    auto* meta = store.family(keys::meta);
    auto* executions = store.family(keys::executions);
    std::string format;
    const auto version =
        read_value(db, meta, keys::format_version, format, check, "the format version");
    if (version == lookup::found && format != keys::current_format) {
        check.problem("the store's format version is " + shown(format) +
                      ", and this ferry reads version " + keys::current_format +
                      " (a newer ferry wrote it?)");
    } else if (version == lookup::missing) {
        check.problem("the store has no format version");
    }
    std::uint64_t last_seq = 0;
    std::string seq_value;
    if (read_value(db, meta, keys::last_seq, seq_value, check, "the last sequence value") ==
        lookup::found) {
        if (const auto seq = decode_be64(seq_value)) {
            last_seq = *seq;
        } else {
            check.problem("the last sequence value does not decode (" +
                          bytes_text(seq_value.size()) + ")");
        }
    }
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), meta));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++report.meta;
        const auto key = it->key().ToStringView();
        const auto value = it->value().ToStringView();
        const auto named = [&](const std::string& prefix) {
            return key.starts_with(prefix) ? key.substr(prefix.size()) : std::string_view();
        };
        if (const auto id = named(keys::delayed_prefix); !id.empty()) {
            if (!decode_be64(value))
                check.problem("delayed entry " + shown(id) + " has no due time");
            must_exist(db, executions, id, "delayed entry " + shown(id), check);
        } else if (const auto parked = named(keys::parked_prefix); !parked.empty()) {
            must_exist(db, executions, parked, "parked entry " + shown(parked), check);
        } else if (const auto outbox = named(keys::outbox_prefix); !outbox.empty()) {
            if (value.size() < 8) check.problem("outbox entry " + shown(outbox) + " has no time");
            must_exist(db, executions, outbox, "outbox entry " + shown(outbox), check);
        } else if (const auto dead = named(keys::dead_prefix); !dead.empty()) {
            if (!decode_dead_letter(dead, value)) {
                check.problem("dead letter " + shown(dead) + " does not decode (" +
                              bytes_text(value.size()) + ")");
            }
            must_exist(db, executions, dead, "dead letter " + shown(dead), check);
        } else if (const auto damaged = named(keys::damaged_prefix); !damaged.empty()) {
            check.problem("execution " + shown(damaged) + " was set aside as damaged: " +
                          shown(value.size() >= 8 ? value.substr(8) : value) +
                          "; its record is kept as it was");
        } else if (const auto running = named(keys::running_prefix); !running.empty()) {
            if (value.size() % 8 != 0) {
                check.problem("running note " + shown(running) +
                              " is not a list of sequence values");
            }
        } else if (const auto sequence = named(keys::sequence_prefix); !sequence.empty()) {
            if (!decode_be64(value)) {
                check.problem("sequential value " + shown(sequence) + " does not decode (" +
                              bytes_text(value.size()) + ")");
            }
        }
    }
    check.iterated(*it, keys::meta);
    return last_seq;
}

void check_answers(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* answers, checker& check,
                   check_report& report) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), answers));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++report.answers;
        if (it->value().size() < 8) {
            check.problem("kept answer " + shown(it->key().ToStringView()) + " has no expiry (" +
                          bytes_text(it->value().size()) + ")");
        }
    }
    check.iterated(*it, keys::answers);
}

}  // namespace

check_report check_store(const std::string& directory, std::size_t max_problems) {
    check_report report;
    checker check(report, max_problems);
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(directory) / "CURRENT", ec)) {
        check.problem("there is no store in " + directory + " (no CURRENT file)");
        return report;
    }
    rocksdb::Options options;
    std::vector<std::string> existing;
    if (const auto listed = rocksdb::DB::ListColumnFamilies(options, directory, &existing);
        !listed.ok()) {
        check.problem("the store's column families cannot be read: " + listed.ToString());
        return report;
    }
    const std::vector<std::string> required = {keys::documents, keys::executions, keys::pending,
                                               keys::meta, keys::answers};
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    families.reserve(existing.size());
    for (const auto& name : existing) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    for (const auto& name : required) {
        if (std::find(existing.begin(), existing.end(), name) == existing.end()) {
            check.problem("column family '" + name + "' is missing");
        }
    }
    opened_store store;
    rocksdb::DB* raw = nullptr;
    if (const auto opened =
            rocksdb::DB::OpenForReadOnly(options, directory, families, &store.handles, &raw);
        !opened.ok()) {
        check.problem("the store cannot be opened: " + opened.ToString());
        return report;
    }
    store.db.reset(raw);
    auto& db = *store.db;
    if (const auto verified = db.VerifyChecksum(); !verified.ok()) {
        check.problem("a checksum does not hold: " + verified.ToString());
    }
    std::uint64_t last_seq = 0;
    if (store.family(keys::meta)) last_seq = check_meta(db, store, check, report);
    if (store.family(keys::executions)) {
        check_executions(db, store.family(keys::executions), check, report);
        if (store.family(keys::pending) && store.family(keys::documents)) {
            check_pending(db, store, last_seq, check, report);
        }
    }
    if (store.family(keys::documents)) {
        check_documents(db, store.family(keys::documents), check, report);
    }
    if (store.family(keys::answers)) check_answers(db, store.family(keys::answers), check, report);
    return report;
}

}  // namespace ferry::store
