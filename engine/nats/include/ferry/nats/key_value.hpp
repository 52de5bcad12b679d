#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::nats {

/// A JetStream key-value bucket (a stream that keeps each key's last value).
struct bucket_settings {
    std::string name;  // letters, digits, '-' and '_'
    int replicas = 1;
    /// A value older than this is gone (0: kept until changed).
    std::chrono::milliseconds max_age{0};
};

/// A key's value as the bucket holds it; no value once the key was erased.
struct kv_entry {
    std::string key;
    std::optional<std::string> value;
    std::uint64_t revision = 0;  // its place in the bucket's stream: later changes are higher
};

/// What a watcher has next: a key's value, the news that every key's value at the time of
/// watching was given, or nothing within the wait.
struct kv_update {
    enum class kind { entry, caught_up, nothing };
    kind what = kind::nothing;
    kv_entry entry;  // with kind::entry
};

/// Every key's latest value, then each change as it is written (kv_bucket::watch()).
/// Concurrency: one thread at a time.
class kv_watcher {
public:
    explicit kv_watcher(void* nats_watcher) : w_(nats_watcher) {}
    ~kv_watcher();
    kv_watcher(const kv_watcher&) = delete;
    kv_watcher& operator=(const kv_watcher&) = delete;

    boost::system::result<kv_update> next(std::chrono::milliseconds wait);

private:
    void* w_ = nullptr;  // kvWatcher*
};

/// A bound bucket (connection::bucket()). Keys: letters, digits and `-_/=`, no dots.
/// Concurrency: thread-safe.
class kv_bucket {
public:
    explicit kv_bucket(void* nats_kv) : kv_(nats_kv) {}
    ~kv_bucket();
    kv_bucket(const kv_bucket&) = delete;
    kv_bucket& operator=(const kv_bucket&) = delete;

    /// Written once a majority of the bucket's replicas hold it.
    boost::system::result<std::uint64_t> put(const std::string& key, std::string_view value);
    boost::system::result<void> erase(const std::string& key);
    /// nullopt when the key has no value (never written, or erased).
    boost::system::result<std::optional<kv_entry>> get(const std::string& key);
    boost::system::result<std::unique_ptr<kv_watcher>> watch();
    /// Every key's value now (erased keys left out), waiting up to `patience` for them.
    boost::system::result<std::vector<kv_entry>> entries(
        std::chrono::milliseconds patience = std::chrono::seconds(5));

private:
    void* kv_ = nullptr;  // kvStore*
};

}  // namespace ferry::nats
