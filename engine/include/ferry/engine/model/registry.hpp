#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/engine/model/api_routes.hpp"
#include "ferry/engine/model/process.hpp"

namespace ferry::engine {

/// A process listening on an internal queue, and whether an operator paused it.
struct queue_listener {
    std::shared_ptr<const engine::process> process;
    bool paused = false;
};

/// An immutable set of deployed processes: the active version of each, which serves its
/// operation, and every other version still known (pending executions finish on the version
/// they were stored for; replays may pick one). Also which listeners an operator paused.
/// A deploy publishes a new registry; executions keep the one they started with.
class registry {
public:
    /// Adds `p` as the active version of its name. False when another process already serves
    /// the same operation or has the same name.
    [[nodiscard]] bool add(std::shared_ptr<const process> p);
    /// Keeps `p` as a known, inactive version (ignored when that version is already known).
    void add_version(std::shared_ptr<const process> p);
    /// Removes the active version of `name` (its versions stay known); false if none.
    bool remove(std::string_view name);

    std::shared_ptr<const process> by_operation(std::string_view operation) const;
    /// The active version.
    std::shared_ptr<const process> by_name(std::string_view name) const;
    /// Version `version` of `name`, active or not; nullptr when unknown.
    std::shared_ptr<const process> version(std::string_view name, std::uint32_t version) const;
    /// The version an execution stored for `name` version `version` runs on: that version
    /// when known, else the active one.
    std::shared_ptr<const process> for_execution(std::string_view name,
                                                 std::uint32_t version) const;
    const std::map<std::string, std::shared_ptr<const process>, std::less<>>& operations() const {
        return by_operation_;
    }
    /// Every active process, by name.
    const std::map<std::string, std::shared_ptr<const process>, std::less<>>& active() const {
        return by_name_;
    }
    /// The active processes listening on `queue`, by name, paused ones included (their
    /// messages wait until they resume).
    std::vector<queue_listener> queue_listeners(std::string_view queue) const;
    /// Every known version, by (name, version).
    const std::map<std::pair<std::string, std::uint32_t>, std::shared_ptr<const process>>&
    versions() const {
        return versions_;
    }

    void set_paused(const std::string& name, bool paused);
    bool paused(std::string_view name) const { return paused_.find(name) != paused_.end(); }

    /// APIs (docs/apis.md): the version serving each base path, and every known version.
    /// Adds `api` as the version serving its base path, replacing another version of the same
    /// API there; false when a different API serves that base path.
    [[nodiscard]] bool add_api(std::shared_ptr<const api_definition> api);
    /// Keeps `api` as a known version that serves nothing (ignored when already known).
    void add_api_version(std::shared_ptr<const api_definition> api);
    /// Stops serving `base_path`; false when nothing served it.
    bool remove_api(std::string_view base_path);
    std::shared_ptr<const api_definition> api_at(std::string_view base_path) const;
    std::shared_ptr<const api_definition> api_version(std::string_view name,
                                                      std::uint32_t version) const;
    /// The APIs being served, by base path.
    const std::map<std::string, std::shared_ptr<const api_definition>, std::less<>>& apis() const {
        return apis_;
    }
    /// Every known API version, by (name, version).
    const std::map<std::pair<std::string, std::uint32_t>, std::shared_ptr<const api_definition>>&
    api_versions() const {
        return api_versions_;
    }
    /// The route of a served API that a REST request reaches (api_routes::dispatch).
    api_dispatch dispatch_api(std::string_view method, std::string_view path,
                              const api_routes::header_lookup& header = {}) const;

private:
    void index_apis();

    std::map<std::string, std::shared_ptr<const api_definition>, std::less<>> apis_;
    std::map<std::pair<std::string, std::uint32_t>, std::shared_ptr<const api_definition>>
        api_versions_;
    std::shared_ptr<const api_routes> api_routes_;  // of apis_, rebuilt when they change

    std::map<std::string, std::shared_ptr<const process>, std::less<>> by_operation_;
    std::map<std::string, std::shared_ptr<const process>, std::less<>> by_name_;
    std::map<std::pair<std::string, std::uint32_t>, std::shared_ptr<const process>> versions_;
    std::set<std::string, std::less<>> paused_;
};

/// Holds the current registry snapshot. Thread-safe.
class registry_holder {
public:
    explicit registry_holder(std::shared_ptr<const registry> initial)
        : current_(std::move(initial)) {}
    std::shared_ptr<const registry> get() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void set(std::shared_ptr<const registry> next) {
        {
            std::lock_guard lock(mutex_);
            current_ = std::move(next);
        }
        if (on_change_) on_change_();
    }
    /// Called after every set() (on the thread that set). Set once, before anyone calls set().
    void on_change(std::function<void()> observer) { on_change_ = std::move(observer); }

private:
    std::function<void()> on_change_;
    mutable std::mutex mutex_;
    std::shared_ptr<const registry> current_;
};

}  // namespace ferry::engine
