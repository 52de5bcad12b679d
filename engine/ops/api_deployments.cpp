// Hot deployment of APIs (docs/apis.md): the API half of engine::deployments. An API version
// serves its base path; a new version of the same API takes the base path over, another API
// cannot. Kept in the control entries beside the processes (ops/deployment_entries.hpp).
#include "clock.hpp"
#include "ferry/engine/apis/api_diff.hpp"
#include "ferry/engine/apis/openapi.hpp"
#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/ops/deployments.hpp"
#include "ops/deployment_entries.hpp"

namespace ferry::engine {
namespace {

constexpr std::string_view api_active_prefix = "api-active/";

std::string quoted(const api_definition& api) {
    return "API '" + api.name + "' version " + std::to_string(api.version);
}

std::string active_value(const api_definition& api) {
    return api.name + "/" + std::to_string(api.version);
}

// The breaking changes from `before` to `after` (diff_openapi), as "A: what; B: what"; ""
// for none.
std::string breaking_changes(const api_definition& before, const api_definition& after,
                             const registry& processes) {
    const auto changes =
        diff_openapi(write_openapi(before, processes, {}), write_openapi(after, processes, {}));
    std::string out;
    for (const auto& c : changes) {
        if (c.breaking) out += (out.empty() ? "" : "; ") + c.where + ": " + c.what;
    }
    return out;
}

refusal base_path_taken(const api_definition& wanted, const api_definition& holder) {
    return refusal{errc::base_path_taken, "the base path " + wanted.base_path +
                                              " is served by API '" + holder.name +
                                              "'; undeploy it first, or choose another base path"};
}

}  // namespace

refused_or<deploy_outcome> deployments::deploy_api(const std::string& text, const std::string& file,
                                                   bool activate, bool allow_breaking) {
    std::shared_ptr<const api_definition> api;
    try {
        api = load_api_text(text, file);
    } catch (const definition_error& e) {
        return refusal{errc::invalid_definition, e.what()};
    }
    const auto current = live_.get();
    if (const auto known = current->api_version(api->name, api->version)) {
        if (known->source != text) {
            return refusal{errc::version_exists,
                           quoted(*api) +
                               " is already deployed with a different definition; raise "
                               "`version:` to deploy a change"};
        }
        const bool serving = current->api_at(known->base_path) == known;
        if (!activate || serving) {
            deploy_outcome out;
            out.api = known;
            out.active = serving;
            return out;
        }
        return serve_api(known, false, allow_breaking);
    }
    const auto now = now_ms();
    api_meta_.try_emplace({api->name, api->version}, version_meta{"admin", now});
    if (!activate) {
        const auto key = definition_key("api", api->name, api->version);
        if (auto stored = persist({{key, encode_definition(now, file, text)}}); !stored) {
            return stored.error();
        }
        auto next = std::make_shared<registry>(*current);
        next->add_api_version(api);
        live_.set(std::move(next));
        deploy_outcome out;
        out.api = std::move(api);
        out.changed = true;
        return out;
    }
    return serve_api(std::move(api), true, allow_breaking);
}

refused_or<deploy_outcome> deployments::activate_api(const std::string& name, std::uint32_t version,
                                                     bool allow_breaking) {
    std::lock_guard lock(mutex_);
    const auto current = live_.get();
    const auto api = current->api_version(name, version);
    if (!api) {
        for (const auto& [key, known] : current->api_versions()) {
            if (key.first == name) {
                return refusal{errc::unknown_api, "API '" + name + "' has no version " +
                                                      std::to_string(version) +
                                                      "; deploy it first"};
            }
        }
        return refusal{errc::unknown_api, "no API is named '" + name + "'"};
    }
    if (current->api_at(api->base_path) == api) {
        deploy_outcome out;
        out.api = api;
        out.active = true;
        return out;
    }
    return serve_api(api, false, allow_breaking);
}

// With the mutex held: `api` serves its base path, stored with its definition.
refused_or<deploy_outcome> deployments::serve_api(std::shared_ptr<const api_definition> api,
                                                  bool changed, bool allow_breaking) {
    const auto current = live_.get();
    const auto before = current->api_at(api->base_path);
    if (before && before->name != api->name) return base_path_taken(*api, *before);
    try {
        check_api_operations(*current, *api);
    } catch (const definition_error& e) {
        return refusal{errc::invalid_definition, e.what()};
    }
    if (before && before != api && !allow_breaking) {
        if (auto breaks = breaking_changes(*before, *api, *current); !breaks.empty()) {
            return refusal{errc::breaking_change,
                           quoted(*api) + " would break the callers of version " +
                               std::to_string(before->version) + " at " + api->base_path + ": " +
                               breaks +
                               "; deploy with --allow-breaking (?allow_breaking=true) to "
                               "replace it all the same, or give it another base path"};
        }
    }
    auto next = std::make_shared<registry>(*current);
    (void)next->add_api(api);
    auto& meta = api_meta_[{api->name, api->version}];
    if (meta.source.empty()) meta = {"admin", now_ms()};
    if (auto stored =
            persist({{definition_key("api", api->name, api->version),
                      encode_definition(meta.deployed_ms, api->source_file, api->source)},
                     {std::string(api_active_prefix) + api->base_path, active_value(*api)}});
        !stored) {
        return stored.error();
    }
    live_.set(std::move(next));
    deploy_outcome out;
    out.api = std::move(api);
    out.changed = changed;
    out.active = true;
    if (before && before != out.api) out.replaced = before->version;
    return out;
}

refused_or<void> deployments::undeploy_api(const std::string& name,
                                           std::optional<std::uint32_t> version) {
    std::lock_guard lock(mutex_);
    const auto current = live_.get();
    auto next = std::make_shared<registry>(*current);
    std::vector<control_entries::change> changes;
    for (const auto& [base_path, api] : current->apis()) {
        if (api->name != name || (version && api->version != *version)) continue;
        next->remove_api(base_path);
        // "" rather than nothing: the --processes directory's file stays undeployed too.
        changes.emplace_back(std::string(api_active_prefix) + base_path, "");
    }
    if (changes.empty()) {
        return refusal{errc::unknown_api,
                       "API '" + name + "'" +
                           (version ? " version " + std::to_string(*version) : std::string()) +
                           " serves no base path"};
    }
    if (auto stored = persist(changes); !stored) return stored;
    live_.set(std::move(next));
    return {};
}

std::vector<api_version_status> deployments::api_versions() const {
    std::lock_guard lock(mutex_);
    const auto current = live_.get();
    std::vector<api_version_status> out;
    for (const auto& [key, api] : current->api_versions()) {
        api_version_status v;
        v.api = api;
        v.active = current->api_at(api->base_path) == api;
        if (const auto m = api_meta_.find(key); m != api_meta_.end()) {
            v.source = m->second.source;
            v.deployed_ms = m->second.deployed_ms;
        }
        out.push_back(std::move(v));
    }
    return out;
}

refused_or<void> deployments::check_apis_still_served(const registry& next) const {
    for (const auto& [base_path, api] : next.apis()) {
        try {
            check_api_operations(next, *api);
        } catch (const definition_error& e) {
            return refusal{errc::in_use, quoted(*api) + " at " + base_path + " uses it (" +
                                             e.what() + "); undeploy or change the API first"};
        }
    }
    return {};
}

// With the mutex held, once `next` has its processes: the APIs operators deployed and
// undeployed, laid over those of the --processes directory.
void deployments::rebuild_apis(registry& next, const registry* before,
                               std::vector<std::string>& warnings) {
    const auto now = now_ms();
    std::map<std::string, std::string> active;  // base path -> "<name>/<version>" or ""
    if (auto entries = control_.list("api/"); entries) {
        for (auto& [key, value] : *entries) {
            const auto v = decode_definition(key, value);
            if (!v) {
                warnings.push_back("the stored API " + key + " is unreadable; skipped");
                continue;
            }
            try {
                auto api = before ? before->api_version(v->name, v->version) : nullptr;
                if (!api || api->source != v->text) api = load_api_text(v->text, v->file);
                api_meta_[{api->name, api->version}] = {"admin", v->deployed_ms};
                next.add_api_version(std::move(api));
            } catch (const definition_error& e) {
                warnings.push_back("the deployed API '" + v->name + "' version " +
                                   std::to_string(v->version) + " no longer loads: " + e.what());
            }
        }
    } else {
        warnings.push_back("cannot read the deployed APIs: " + entries.error().detail);
    }
    if (auto entries = control_.list(std::string(api_active_prefix)); entries) {
        for (auto& [key, value] : *entries) {
            active[key.substr(api_active_prefix.size())] = std::move(value);
        }
    }
    std::map<std::string, std::shared_ptr<const api_definition>> served;
    if (directory_) {
        for (const auto& [base_path, api] : directory_->apis()) {
            next.add_api_version(api);
            api_meta_.try_emplace({api->name, api->version}, version_meta{"directory", now});
            if (!active.contains(base_path)) served[base_path] = api;
        }
    }
    for (const auto& [base_path, value] : active) {
        if (value.empty()) continue;
        const auto slash = value.rfind('/');
        const auto version = parse_number(std::string_view(value).substr(slash + 1));
        const auto api =
            slash == std::string::npos || !version
                ? nullptr
                : next.api_version(value.substr(0, slash), static_cast<std::uint32_t>(*version));
        if (!api) {
            warnings.push_back("the API " + value + " chosen for " + base_path +
                               " is not in the store; the base path is not served");
            continue;
        }
        served[base_path] = api;
    }
    for (const auto& [base_path, api] : served) {
        try {
            check_api_operations(next, *api);
        } catch (const definition_error& e) {
            warnings.push_back(quoted(*api) + " is not served at " + base_path + ": " + e.what());
            continue;
        }
        if (!next.add_api(api)) {
            warnings.push_back(quoted(*api) + " is not served: another API serves " + base_path);
        }
    }
}

}  // namespace ferry::engine
