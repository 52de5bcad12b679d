#include "ferry/nats/key_value.hpp"

#include <nats/nats.h>

#include <map>

#include "ferry/nats/error.hpp"

namespace ferry::nats {
namespace {

using boost::system::result;

kvStore* store_of(void* kv) { return static_cast<kvStore*>(kv); }

kv_entry entry_of(kvEntry* e) {
    kv_entry out;
    out.key = kvEntry_Key(e);
    out.revision = kvEntry_Revision(e);
    if (kvEntry_Operation(e) == kvOp_Put) {
        const auto* data = static_cast<const char*>(kvEntry_Value(e));
        out.value.emplace(data, static_cast<std::size_t>(kvEntry_ValueLen(e)));
    }
    return out;
}

}  // namespace

kv_watcher::~kv_watcher() { kvWatcher_Destroy(static_cast<kvWatcher*>(w_)); }

result<kv_update> kv_watcher::next(std::chrono::milliseconds wait) {
    kvEntry* e = nullptr;
    const natsStatus st =
        kvWatcher_Next(&e, static_cast<kvWatcher*>(w_), std::max<std::int64_t>(1, wait.count()));
    if (st == NATS_TIMEOUT) return kv_update{};
    if (st != NATS_OK) return make_error(st);
    if (e == nullptr) return kv_update{kv_update::kind::caught_up, {}};
    kv_update out{kv_update::kind::entry, entry_of(e)};
    kvEntry_Destroy(e);
    return out;
}

kv_bucket::~kv_bucket() { kvStore_Destroy(store_of(kv_)); }

result<std::uint64_t> kv_bucket::put(const std::string& key, std::string_view value) {
    std::uint64_t revision = 0;
    const natsStatus st = kvStore_Put(&revision, store_of(kv_), key.c_str(), value.data(),
                                      static_cast<int>(value.size()));
    if (st != NATS_OK) return make_error(st);
    return revision;
}

result<void> kv_bucket::erase(const std::string& key) {
    const natsStatus st = kvStore_Delete(store_of(kv_), key.c_str());
    if (st != NATS_OK) return make_error(st);
    return {};
}

result<std::optional<kv_entry>> kv_bucket::get(const std::string& key) {
    kvEntry* e = nullptr;
    const natsStatus st = kvStore_Get(&e, store_of(kv_), key.c_str());
    if (st == NATS_NOT_FOUND) return std::optional<kv_entry>();
    if (st != NATS_OK) return make_error(st);
    auto out = entry_of(e);
    kvEntry_Destroy(e);
    return std::optional<kv_entry>(std::move(out));
}

result<std::unique_ptr<kv_watcher>> kv_bucket::watch() {
    kvWatcher* w = nullptr;
    kvWatchOptions o;
    kvWatchOptions_Init(&o);
    const natsStatus st = kvStore_WatchAll(&w, store_of(kv_), &o);
    if (st != NATS_OK) return make_error(st);
    return std::make_unique<kv_watcher>(w);
}

result<std::vector<kv_entry>> kv_bucket::entries(std::chrono::milliseconds patience) {
    auto watcher = watch();
    if (!watcher) return watcher.error();
    std::map<std::string, kv_entry> latest;  // a key written meanwhile comes twice
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < give_up) {
        auto update = (*watcher)->next(std::chrono::duration_cast<std::chrono::milliseconds>(
            give_up - std::chrono::steady_clock::now()));
        if (!update) return update.error();
        if (update->what == kv_update::kind::caught_up) {
            std::vector<kv_entry> out;
            out.reserve(latest.size());
            for (auto& [key, entry] : latest) out.push_back(std::move(entry));
            return out;
        }
        if (update->what != kv_update::kind::entry) continue;
        if (update->entry.value) {
            latest.insert_or_assign(update->entry.key, std::move(update->entry));
        } else {
            latest.erase(update->entry.key);
        }
    }
    return make_error(NATS_TIMEOUT);
}

}  // namespace ferry::nats
