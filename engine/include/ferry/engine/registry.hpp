#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ferry/engine/process.hpp"

namespace ferry::engine {

/// An immutable set of deployed processes, by operation name and by process name.
/// A deploy publishes a new registry; executions keep the one they started with.
class registry {
public:
    /// False when another process already serves the same operation or has the same name.
    [[nodiscard]] bool add(std::shared_ptr<const process> p);

    std::shared_ptr<const process> by_operation(std::string_view operation) const;
    std::shared_ptr<const process> by_name(std::string_view name) const;
    const std::map<std::string, std::shared_ptr<const process>, std::less<>>& operations() const {
        return by_operation_;
    }

private:
    std::map<std::string, std::shared_ptr<const process>, std::less<>> by_operation_;
    std::map<std::string, std::shared_ptr<const process>, std::less<>> by_name_;
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
        std::lock_guard lock(mutex_);
        current_ = std::move(next);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const registry> current_;
};

}  // namespace ferry::engine
