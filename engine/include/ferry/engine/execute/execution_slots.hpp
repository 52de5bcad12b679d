#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace ferry::engine {

/// Synchronous executions running per operation, for the per-operation limit (a caller holds a
/// connection and an executor for as long as its execution runs).
/// Concurrency: thread-safe.
class execution_slots {
public:
    /// Takes a slot of `operation` unless `limit` (0: unlimited) are taken.
    bool take(const std::string& operation, std::size_t limit) {
        std::lock_guard lock(mutex_);
        auto& n = running_[operation];
        if (limit != 0 && n >= limit) return false;
        ++n;
        return true;
    }
    void give_back(const std::string& operation) {
        std::lock_guard lock(mutex_);
        if (auto it = running_.find(operation); it != running_.end() && it->second > 0)
            --it->second;
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> running_;
};

/// A slot taken from execution_slots, given back when destroyed (RAII, movable).
class execution_slot {
public:
    execution_slot(execution_slots& slots, std::string operation)
        : slots_(&slots), operation_(std::move(operation)) {}
    ~execution_slot() {
        if (slots_) slots_->give_back(operation_);
    }
    execution_slot(execution_slot&& other) noexcept
        : slots_(std::exchange(other.slots_, nullptr)), operation_(std::move(other.operation_)) {}
    execution_slot& operator=(execution_slot&&) = delete;
    execution_slot(const execution_slot&) = delete;
    execution_slot& operator=(const execution_slot&) = delete;

private:
    execution_slots* slots_;
    std::string operation_;
};

}  // namespace ferry::engine
