#include "ferry/engine/ops/control_entries.hpp"

namespace ferry::engine {

refused_or<void> stored_control_entries::put(std::span<const change> changes) {
    if (auto written = db_.put_control(changes); !written) {
        return refusal{errc::storage_error,
                       "the change could not be stored: " + written.error().message()};
    }
    return {};
}

refused_or<std::vector<control_entries::entry>> stored_control_entries::list(
    std::string_view prefix) const {
    auto entries = db_.list_control(prefix);
    if (!entries) {
        return refusal{errc::storage_error,
                       "the control entries could not be read: " + entries.error().message()};
    }
    return std::move(*entries);
}

refused_or<void> memory_control_entries::put(std::span<const change> changes) {
    std::lock_guard lock(mutex_);
    for (const auto& [key, value] : changes) {
        if (value) {
            entries_.insert_or_assign(key, *value);
        } else {
            entries_.erase(key);
        }
    }
    return {};
}

refused_or<std::vector<control_entries::entry>> memory_control_entries::list(
    std::string_view prefix) const {
    std::lock_guard lock(mutex_);
    std::vector<entry> out;
    for (auto it = entries_.lower_bound(prefix);
         it != entries_.end() && it->first.starts_with(prefix); ++it) {
        out.emplace_back(it->first, it->second);
    }
    return out;
}

}  // namespace ferry::engine
