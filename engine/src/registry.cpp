#include "ferry/engine/registry.hpp"

namespace ferry::engine {

bool registry::add(std::shared_ptr<const process> p) {
    auto operation = p->listen.operation_name();
    if (by_operation_.contains(operation) || by_name_.contains(p->name)) return false;
    by_name_.emplace(p->name, p);
    by_operation_.emplace(std::move(operation), std::move(p));
    return true;
}

std::shared_ptr<const process> registry::by_operation(std::string_view operation) const {
    const auto it = by_operation_.find(operation);
    return it == by_operation_.end() ? nullptr : it->second;
}

std::shared_ptr<const process> registry::by_name(std::string_view name) const {
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
}

}  // namespace ferry::engine
