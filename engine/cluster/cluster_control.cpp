#include "cluster/cluster_control.hpp"

#include <map>
#include <thread>

#include "cluster/cluster_messages.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;

// The deployments' keys (ops/deployment_entries.hpp): every node serves the same processes
// and APIs.
constexpr const char* shared_prefixes[] = {"process/", "active/", "paused/", "api/", "api-active/"};
constexpr auto catch_up_patience = 10s;
constexpr auto follow_wait = 500ms;
constexpr std::size_t follow_batch = 256;  // changes taken before `changed` is called

/// The copy's value of exactly `key`.
std::optional<std::string> local_value(const control_entries& local, const std::string& key) {
    auto entries = local.list(key);
    if (!entries) return std::nullopt;
    for (auto& [k, v] : *entries) {
        if (k == key) return std::move(v);
    }
    return std::nullopt;
}

}  // namespace

bool shared_control_key(std::string_view key) {
    for (const auto* prefix : shared_prefixes) {
        if (key.starts_with(prefix)) return true;
    }
    return false;
}

std::string bucket_key(std::string_view control_key) { return escaped(control_key, '=', "/"); }

std::optional<std::string> control_key(std::string_view bucket_key) {
    return unescaped(bucket_key, '=');
}

boost::system::result<std::unique_ptr<cluster_control>> cluster_control::open(
    nats::connection& nats, const jetstream_settings& settings, control_entries& local) {
    auto bucket = nats.bucket({.name = settings.control_bucket, .replicas = settings.replicas});
    if (!bucket) return bucket.error();
    std::unique_ptr<cluster_control> control(new cluster_control(std::move(*bucket), local));
    if (auto caught_up = control->catch_up(); !caught_up) return caught_up.error();
    return control;
}

boost::system::result<void> cluster_control::catch_up() {
    auto watcher = bucket_->watch();
    if (!watcher) return watcher.error();
    watcher_ = std::move(*watcher);
    std::map<std::string, nats::kv_entry> in_bucket;  // by control key
    const auto give_up = std::chrono::steady_clock::now() + catch_up_patience;
    for (;;) {
        if (std::chrono::steady_clock::now() >= give_up) {
            return boost::system::errc::make_error_code(boost::system::errc::timed_out);
        }
        auto update = watcher_->next(follow_wait);
        if (!update) return update.error();
        if (update->what == nats::kv_update::kind::caught_up) break;
        if (update->what != nats::kv_update::kind::entry) continue;
        if (auto key = control_key(update->entry.key); key && shared_control_key(*key)) {
            in_bucket.insert_or_assign(std::move(*key), std::move(update->entry));
        }
    }
    for (const auto& [key, entry] : in_bucket) take(entry);
    // What only this copy holds goes to the bucket (whose entries won above).
    for (const auto* prefix : shared_prefixes) {
        auto mine = local_.list(prefix);
        if (!mine) return make_error_code(mine.error().code);
        for (const auto& [key, value] : *mine) {
            if (in_bucket.contains(key)) continue;
            if (auto put = bucket_->put(bucket_key(key), value); !put) return put.error();
        }
    }
    return {};
}

bool cluster_control::take(const nats::kv_entry& entry) {
    auto key = control_key(entry.key);
    if (!key || !shared_control_key(*key)) return false;
    std::lock_guard lock(writing_);
    const auto mine = local_value(local_, *key);
    if (mine == entry.value) return false;
    const change c{*key, entry.value};
    if (auto written = local_.put({&c, 1}); !written) {
        log::error("cluster", "a change of the cluster's deployments could not be kept here",
                   {{"key", *key}, {"error", written.error().detail}});
        return false;
    }
    return true;
}

refused_or<void> cluster_control::put(std::span<const change> changes) {
    std::lock_guard lock(writing_);
    for (const auto& [key, value] : changes) {
        boost::system::error_code failed;
        if (value) {
            if (auto written = bucket_->put(bucket_key(key), *value); !written) {
                failed = written.error();
            }
        } else if (auto erased = bucket_->erase(bucket_key(key)); !erased) {
            failed = erased.error();
        }
        if (failed) {
            return refusal{errc::cluster_unavailable, "the cluster did not take the change (" +
                                                          failed.message() +
                                                          "); try again once it answers"};
        }
    }
    return local_.put(changes);
}

void cluster_control::follow(const std::stop_token& stop, const std::function<void()>& changed) {
    while (!stop.stop_requested()) {
        if (!watcher_) {
            auto watcher = bucket_->watch();
            if (!watcher) {
                std::this_thread::sleep_for(follow_wait);
                continue;
            }
            watcher_ = std::move(*watcher);
        }
        bool any = false;
        for (std::size_t taken = 0; taken < follow_batch && !stop.stop_requested(); ++taken) {
            // The first change is waited for; those right behind it are taken with it.
            auto update = watcher_->next(taken == 0 ? follow_wait : 1ms);
            if (!update) {
                log::warn("cluster", "following the cluster's deployments failed; again soon",
                          {{"error", update.error().message()}});
                watcher_.reset();  // a new watcher starts from every key's latest value
                std::this_thread::sleep_for(follow_wait);
                break;
            }
            if (update->what == nats::kv_update::kind::nothing) break;
            if (update->what == nats::kv_update::kind::entry && take(update->entry)) any = true;
        }
        if (any) changed();
    }
}

}  // namespace ferry::engine::cluster
