#include "ferry/engine/ops/deployments.hpp"

#include "clock.hpp"
#include "ferry/engine/model/process_loader.hpp"
#include "ops/deployment_entries.hpp"

namespace ferry::engine {
namespace {

std::string quoted(const process& p) {
    return "'" + p.name + "' version " + std::to_string(p.version);
}

}  // namespace

deployments::deployments(control_entries& control, registry_holder& live)
    : control_(control), live_(live) {}

std::vector<std::string> deployments::restore(std::shared_ptr<const registry> directory) {
    std::lock_guard lock(mutex_);
    directory_ = std::move(directory);
    return rebuild();
}

std::vector<std::string> deployments::reload() {
    std::lock_guard lock(mutex_);
    return rebuild();
}

// With the mutex held: the registry from the directory and the control entries.
std::vector<std::string> deployments::rebuild() {
    std::vector<std::string> warnings;
    const auto before = live_.get();
    errors_.clear();
    const auto now = now_ms();
    auto next = std::make_shared<registry>();

    // What operators deployed, undeployed and paused.
    std::map<std::string, std::map<std::uint32_t, stored_definition>> stored;
    std::map<std::string, std::string> active;
    std::vector<std::pair<std::string, std::string>> paused;
    if (auto entries = control_.list("process/"); entries) {
        for (auto& [key, value] : *entries) {
            if (auto v = decode_definition(key, value)) {
                auto name = v->name;
                stored[name].emplace(v->version, std::move(*v));
            } else {
                warnings.push_back("the stored deployment " + key + " is unreadable; skipped");
            }
        }
    } else {
        warnings.push_back("cannot read the deployed processes: " + entries.error().detail);
    }
    if (auto entries = control_.list("active/"); entries) {
        for (auto& [key, value] : *entries) active[key.substr(7)] = value;
    }
    if (auto entries = control_.list("paused/"); entries) paused = std::move(*entries);

    std::map<std::string, std::shared_ptr<const process>> loaded_active;
    // Every stored version is known again; a definition that no longer loads is skipped, and
    // errors its listener when it is the active one.
    for (const auto& [name, versions] : stored) {
        // The active version's number, or 0 (versions start at 1) for none.
        std::uint64_t wanted = 0;
        if (const auto a = active.find(name); a != active.end()) {
            wanted = parse_number(a->second).value_or(0);
        }
        for (const auto& [version, v] : versions) {
            try {
                // Loaded once: a reload keeps what it already has.
                auto p = before ? before->version(name, version) : nullptr;
                if (!p || p->source_text != v.text) p = load_process_text(v.text, v.file);
                meta_[{p->name, p->version}] = {"admin", v.deployed_ms};
                if (wanted == version) {
                    loaded_active[name] = p;
                } else {
                    next->add_version(std::move(p));
                }
            } catch (const definition_error& e) {
                if (wanted == version) {
                    errors_[name] = {version, v.text, v.file, e.what()};
                    since_[name] = now;
                }
                warnings.push_back("the deployed process '" + name + "' version " +
                                   std::to_string(version) + " no longer loads: " + e.what());
            }
        }
    }
    for (const auto& [name, value] : active) {
        if (value.empty() || loaded_active.contains(name) || errors_.contains(name)) continue;
        errors_[name] = {static_cast<std::uint32_t>(parse_number(value).value_or(0)), "", "",
                         "the active version " + value + " is not in the store"};
        since_[name] = now;
    }
    // The directory serves whatever operators did not take over.
    const auto none = std::make_shared<registry>();
    for (const auto& [name, p] : (directory_ ? *directory_ : *none).active()) {
        if (!active.contains(p->name)) {
            loaded_active.emplace(p->name, p);
            meta_.try_emplace({p->name, p->version}, version_meta{"directory", now});
            continue;
        }
        const auto known = next->version(p->name, p->version);
        const auto& chosen = loaded_active[p->name];
        const bool same = (chosen && chosen->source_text == p->source_text) ||
                          (known && known->source_text == p->source_text);
        if (!same) {
            warnings.push_back(p->source_file + " (" + quoted(*p) +
                               ") is not served: the admin API " +
                               (active[p->name].empty() ? "undeployed it"
                                                        : "deployed version " + active[p->name]) +
                               "; `ferry deploy " + p->source_file + "` serves the file");
        }
        if (!known && !(chosen && chosen->version == p->version)) {
            next->add_version(p);
            meta_.try_emplace({p->name, p->version}, version_meta{"directory", now});
        }
    }
    for (auto& [name, p] : loaded_active) {
        if (!p) continue;
        if (!next->add(p)) {
            errors_[name] = {
                p->version, p->source_text, p->source_file,
                "its operation " + p->listen.operation_name() + " is served by another process"};
            since_[name] = now;
            next->add_version(p);
        } else {
            since_.try_emplace(name, now);
        }
    }
    try {
        check_process_calls(*next);
    } catch (const definition_error& e) {
        warnings.push_back(std::string(e.what()) + " (the call fails when it runs)");
    }
    rebuild_apis(*next, before.get(), warnings);
    for (const auto& [key, value] : paused) next->set_paused(key.substr(7), true);
    // A listener that another node changed (reload) has been in its state since now.
    if (before) {
        for (const auto& [name, p] : next->active()) {
            const auto was = before->by_name(name);
            if (!was || was->version != p->version || before->paused(name) != next->paused(name)) {
                since_[name] = now;
            }
        }
    }
    live_.set(std::move(next));
    return warnings;
}

refused_or<void> deployments::persist(const std::vector<control_entries::change>& changes) {
    return control_.put(changes);
}

refused_or<deploy_outcome> deployments::deploy(const std::string& text, const std::string& file,
                                               bool activate, bool allow_breaking) {
    std::lock_guard lock(mutex_);
    if (is_api_definition_text(text)) return deploy_api(text, file, activate, allow_breaking);
    std::shared_ptr<const process> p;
    try {
        p = load_process_text(text, file);
    } catch (const definition_error& e) {
        return refusal{errc::invalid_definition, e.what()};
    }
    const auto current = live_.get();
    if (const auto known = current->version(p->name, p->version)) {
        if (known->source_text != text) {
            return refusal{errc::version_exists,
                           "process " + quoted(*p) +
                               " is already deployed with a different definition; raise "
                               "`version:` to deploy a change"};
        }
        const bool serving = current->by_name(p->name) == known;
        if (!activate || serving) return deploy_outcome{known, false, serving, std::nullopt};
        return publish_active(known, false, {});
    }
    const auto now = now_ms();
    if (!activate) {
        if (auto stored = persist({{definition_key("process", p->name, p->version),
                                    encode_definition(now, p->source_file, p->source_text)}});
            !stored) {
            return stored.error();
        }
        auto next = std::make_shared<registry>(*current);
        next->add_version(p);
        meta_[{p->name, p->version}] = {"admin", now};
        live_.set(std::move(next));
        return deploy_outcome{p, true, false, std::nullopt};
    }
    meta_.try_emplace({p->name, p->version}, version_meta{"admin", now});
    return publish_active(p, true, {});
}

refused_or<deploy_outcome> deployments::activate(const std::string& name, std::uint32_t version) {
    std::lock_guard lock(mutex_);
    const auto current = live_.get();
    const auto p = current->version(name, version);
    if (!p) {
        for (const auto& [key, known] : current->versions()) {
            if (key.first == name) {
                return refusal{errc::unknown_version, "process '" + name + "' has no version " +
                                                          std::to_string(version) +
                                                          "; deploy it first"};
            }
        }
        return refusal{errc::unknown_process, "no process is named '" + name + "'"};
    }
    if (current->by_name(name) == p) return deploy_outcome{p, false, true, std::nullopt};
    return publish_active(p, false, {});
}

// With the mutex held: makes `p` its name's active version, stored with its definition.
refused_or<deploy_outcome> deployments::publish_active(
    std::shared_ptr<const process> p, bool changed, std::vector<control_entries::change> changes) {
    const auto current = live_.get();
    auto next = std::make_shared<registry>(*current);
    const auto before = current->by_name(p->name);
    next->remove(p->name);
    if (!next->add(p)) {
        const auto holder = current->by_operation(p->listen.operation_name());
        return refusal{errc::operation_taken, "the operation " + p->listen.operation_name() +
                                                  " is served by process '" +
                                                  (holder ? holder->name : std::string("?")) +
                                                  "'; undeploy that process first"};
    }
    try {
        check_process_calls(*next);
    } catch (const definition_error& e) {
        return refusal{errc::invalid_definition, e.what()};
    }
    if (auto used = check_apis_still_served(*next); !used) return used.error();
    auto& meta = meta_[{p->name, p->version}];
    if (meta.source.empty()) meta = {"admin", now_ms()};
    // The definition is stored with the choice, so that a restart serves it even when it came
    // from a directory file that has changed since.
    changes.emplace_back(definition_key("process", p->name, p->version),
                         encode_definition(meta.deployed_ms, p->source_file, p->source_text));
    changes.emplace_back("active/" + p->name, std::to_string(p->version));
    if (auto stored = persist(changes); !stored) return stored.error();
    if (errors_.erase(p->name) > 0 || !before) since_[p->name] = now_ms();
    live_.set(std::move(next));
    std::optional<std::uint32_t> replaced;
    if (before && before != p) replaced = before->version;
    return deploy_outcome{std::move(p), changed, true, replaced};
}

refused_or<void> deployments::undeploy(const std::string& name) {
    std::lock_guard lock(mutex_);
    const auto current = live_.get();
    const std::vector<control_entries::change> changes = {{"active/" + name, ""},
                                                          {"paused/" + name, std::nullopt}};
    if (!current->by_name(name)) {
        if (!errors_.contains(name)) {
            return refusal{errc::unknown_process, "no deployed process is named '" + name + "'"};
        }
        if (auto stored = persist(changes); !stored) return stored;
        errors_.erase(name);
        since_.erase(name);
        return {};
    }
    auto next = std::make_shared<registry>(*current);
    next->remove(name);
    next->set_paused(name, false);
    try {
        check_process_calls(*next);
    } catch (const definition_error& e) {
        return refusal{errc::in_use,
                       "'" + name + "' is still called by another process: " + e.what()};
    }
    if (auto used = check_apis_still_served(*next); !used) return used.error();
    if (auto stored = persist(changes); !stored) return stored;
    since_.erase(name);
    live_.set(std::move(next));
    return {};
}

refused_or<listener_status> deployments::pause(const std::string& name) {
    return set_paused(name, true);
}

refused_or<listener_status> deployments::resume(const std::string& name) {
    return set_paused(name, false);
}

refused_or<listener_status> deployments::set_paused(const std::string& name, bool paused) {
    std::lock_guard lock(mutex_);
    const auto current = live_.get();
    if (!current->by_name(name) && !errors_.contains(name)) {
        return refusal{errc::unknown_listener, "no deployed process is named '" + name + "'"};
    }
    if (current->paused(name) == paused) return status_of(*current, name);
    const auto now = now_ms();
    const auto value = paused ? std::optional<std::string>(std::to_string(now)) : std::nullopt;
    if (auto stored = persist({{"paused/" + name, value}}); !stored) return stored.error();
    auto next = std::make_shared<registry>(*current);
    next->set_paused(name, paused);
    since_[name] = now;
    live_.set(next);
    return status_of(*next, name);
}

refused_or<listener_status> deployments::restart(const std::string& name) {
    std::lock_guard lock(mutex_);
    const auto current = live_.get();
    std::string text;
    std::string file;
    if (const auto p = current->by_name(name)) {
        text = p->source_text;
        file = p->source_file;
    } else if (const auto e = errors_.find(name); e != errors_.end()) {
        text = e->second.text;
        file = e->second.file;
    } else {
        return refusal{errc::unknown_listener, "no deployed process is named '" + name + "'"};
    }
    auto next = std::make_shared<registry>(*current);
    next->remove(name);
    const auto now = now_ms();
    try {
        auto fresh = load_process_text(text, file);
        if (!next->add(fresh))
            throw definition_error(file + ": its operation " + fresh->listen.operation_name() +
                                   " is served by another process");
        errors_.erase(name);
    } catch (const definition_error& e) {
        const auto before = current->by_name(name);
        errors_[name] = {before ? before->version : errors_[name].version, text, file, e.what()};
    }
    since_[name] = now;
    live_.set(next);
    return status_of(*next, name);
}

listener_status deployments::status_of(const registry& r, const std::string& name) const {
    listener_status out;
    out.process = name;
    if (const auto since = since_.find(name); since != since_.end()) out.since_ms = since->second;
    if (const auto e = errors_.find(name); e != errors_.end()) {
        out.state = "errored";
        out.error = e->second.error;
        out.version = e->second.version;
        if (const auto p = r.version(name, e->second.version)) {
            out.operation = p->listen.operation_name();
            out.queue = p->listen.queue;
        }
        return out;
    }
    if (const auto p = r.by_name(name)) {
        out.operation = p->listen.operation_name();
        out.queue = p->listen.queue;
        out.version = p->version;
    }
    out.state = r.paused(name) ? "paused" : "listening";
    return out;
}

std::vector<listener_status> deployments::listeners() const {
    std::lock_guard lock(mutex_);
    const auto current = live_.get();
    std::map<std::string, listener_status> out;
    for (const auto& [name, p] : current->active()) {
        out.emplace(name, status_of(*current, name));
    }
    for (const auto& [name, e] : errors_) out.emplace(name, status_of(*current, name));
    std::vector<listener_status> list;
    list.reserve(out.size());
    for (auto& [name, status] : out) list.push_back(std::move(status));
    return list;
}

std::vector<version_status> deployments::versions() const {
    std::lock_guard lock(mutex_);
    const auto current = live_.get();
    std::vector<version_status> out;
    for (const auto& [key, p] : current->versions()) {
        version_status v;
        v.process = p->name;
        v.version = p->version;
        v.operation = p->listen.operation_name();
        v.queue = p->listen.queue;
        v.active = current->by_name(p->name) == p;
        v.file = p->source_file;
        if (const auto m = meta_.find(key); m != meta_.end()) {
            v.source = m->second.source;
            v.deployed_ms = m->second.deployed_ms;
        }
        out.push_back(std::move(v));
    }
    return out;
}

}  // namespace ferry::engine
