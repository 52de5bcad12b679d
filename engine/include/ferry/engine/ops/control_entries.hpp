#pragma once

#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/engine/refusal.hpp"
#include "ferry/store/store.hpp"

namespace ferry::engine {

/// Where operator state lives (deployed definitions, active versions, paused listeners):
/// this process's store, a worker's memory, or (cluster mode) the cluster's control bucket
/// with this node's store beside it.
class control_entries {
public:
    using change = store::store::control_change;  // no value: the key goes
    using entry = std::pair<std::string, std::string>;

    virtual ~control_entries() = default;
    /// Every change of one call is kept together (refusals: storage_error,
    /// cluster_unavailable; nothing is changed then).
    virtual refused_or<void> put(std::span<const change> changes) = 0;
    /// Every entry whose key starts with `prefix`, in key order.
    virtual refused_or<std::vector<entry>> list(std::string_view prefix) const = 0;
};

/// In the store's control entries (synced writes).
class stored_control_entries final : public control_entries {
public:
    explicit stored_control_entries(store::store& db) : db_(db) {}
    refused_or<void> put(std::span<const change> changes) override;
    refused_or<std::vector<entry>> list(std::string_view prefix) const override;

private:
    store::store& db_;
};

/// In memory: a process that keeps nothing (a cluster worker follows the cluster's).
/// Thread-safe.
class memory_control_entries final : public control_entries {
public:
    refused_or<void> put(std::span<const change> changes) override;
    refused_or<std::vector<entry>> list(std::string_view prefix) const override;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::string, std::less<>> entries_;
};

}  // namespace ferry::engine
