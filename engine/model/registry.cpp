#include "ferry/engine/model/registry.hpp"

namespace ferry::engine {

bool registry::add(std::shared_ptr<const process> p) {
    auto operation = p->listen.operation_name();
    if (by_operation_.contains(operation) || by_name_.contains(p->name)) return false;
    versions_[{p->name, p->version}] = p;
    by_name_.emplace(p->name, p);
    // A queue listener serves no operation; several may listen on one queue.
    if (!operation.empty()) by_operation_.emplace(std::move(operation), std::move(p));
    return true;
}

void registry::add_version(std::shared_ptr<const process> p) {
    versions_.try_emplace({p->name, p->version}, std::move(p));
}

bool registry::remove(std::string_view name) {
    const auto it = by_name_.find(name);
    if (it == by_name_.end()) return false;
    by_operation_.erase(it->second->listen.operation_name());
    by_name_.erase(it);
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

std::shared_ptr<const process> registry::version(std::string_view name,
                                                 std::uint32_t version) const {
    const auto it = versions_.find({std::string(name), version});
    return it == versions_.end() ? nullptr : it->second;
}

std::shared_ptr<const process> registry::for_execution(std::string_view name,
                                                       std::uint32_t v) const {
    if (auto exact = version(name, v)) return exact;
    return by_name(name);
}

std::vector<queue_listener> registry::queue_listeners(std::string_view queue) const {
    std::vector<queue_listener> out;
    for (const auto& [name, p] : by_name_) {
        if (p->listen.queue == queue) out.push_back({p, paused(name)});
    }
    return out;
}

void registry::set_paused(const std::string& name, bool paused) {
    if (paused) {
        paused_.insert(name);
    } else {
        paused_.erase(name);
    }
}

bool registry::add_api(std::shared_ptr<const api_definition> api) {
    if (const auto held = api_at(api->base_path); held && held->name != api->name) return false;
    api_versions_[{api->name, api->version}] = api;
    apis_[api->base_path] = std::move(api);
    index_apis();
    return true;
}

void registry::add_api_version(std::shared_ptr<const api_definition> api) {
    api_versions_.try_emplace({api->name, api->version}, std::move(api));
}

bool registry::remove_api(std::string_view base_path) {
    const auto it = apis_.find(base_path);
    if (it == apis_.end()) return false;
    apis_.erase(it);
    index_apis();
    return true;
}

std::shared_ptr<const api_definition> registry::api_at(std::string_view base_path) const {
    const auto it = apis_.find(base_path);
    return it == apis_.end() ? nullptr : it->second;
}

std::shared_ptr<const api_definition> registry::api_version(std::string_view name,
                                                            std::uint32_t version) const {
    const auto it = api_versions_.find({std::string(name), version});
    return it == api_versions_.end() ? nullptr : it->second;
}

api_dispatch registry::dispatch_api(std::string_view method, std::string_view path,
                                    const api_routes::header_lookup& header) const {
    if (!api_routes_) return api_not_found{};
    return api_routes_->dispatch(method, path, header);
}

void registry::index_apis() {
    std::vector<std::shared_ptr<const api_definition>> served;
    served.reserve(apis_.size());
    for (const auto& [base, api] : apis_) served.push_back(api);
    api_routes_ = served.empty() ? nullptr : std::make_shared<const api_routes>(std::move(served));
}

}  // namespace ferry::engine
