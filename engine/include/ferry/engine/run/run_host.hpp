#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/engine/model/process.hpp"
#include "ferry/engine/model/registry.hpp"

namespace ferry::engine {

/// What a run asks of whoever runs it: the local executors, a remote worker, a replay's dry
/// run, `ferry test`. One small interface instead of a bundle of callbacks.
/// Concurrency: an implementation given to several threads is thread-safe.
class run_host {
public:
    virtual ~run_host() = default;
    /// The deployed (active) process of that name, for process_call; null when there is none.
    virtual std::shared_ptr<const process> find_process(std::string_view name) const = 0;
    /// The version a stored execution runs on (registry::for_execution).
    virtual std::shared_ptr<const process> find_version(std::string_view name,
                                                        std::uint32_t version) const {
        (void)version;
        return find_process(name);
    }
    /// The processes listening on internal queue `queue` now (queue_send).
    virtual std::vector<queue_listener> queue_listeners(std::string_view queue) const = 0;
    /// The next value of a named sequential value; an error fails the document that asked.
    virtual boost::system::result<std::uint64_t> next_sequence(std::string_view name) = 0;
};

/// A run_host over one snapshot of the deployed processes. Sequential values count from 1 in
/// memory, never stored (dry runs, tests); the executors and workers override next_sequence
/// with values reserved in the store.
class registry_host : public run_host {
public:
    explicit registry_host(std::shared_ptr<const registry> processes)
        : processes_(std::move(processes)) {}

    std::shared_ptr<const process> find_process(std::string_view name) const override {
        return processes_ ? processes_->by_name(name) : nullptr;
    }
    std::shared_ptr<const process> find_version(std::string_view name,
                                                std::uint32_t version) const override {
        return processes_ ? processes_->for_execution(name, version) : nullptr;
    }
    std::vector<queue_listener> queue_listeners(std::string_view queue) const override {
        return processes_ ? processes_->queue_listeners(queue) : std::vector<queue_listener>();
    }
    boost::system::result<std::uint64_t> next_sequence(std::string_view name) override {
        std::lock_guard lock(mutex_);
        auto it = counted_.find(name);
        if (it == counted_.end()) it = counted_.emplace(std::string(name), 0).first;
        return ++it->second;
    }

private:
    std::shared_ptr<const registry> processes_;
    std::mutex mutex_;
    std::map<std::string, std::uint64_t, std::less<>> counted_;
};

}  // namespace ferry::engine
