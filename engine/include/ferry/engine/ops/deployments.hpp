#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/ops/control_entries.hpp"
#include "ferry/engine/refusal.hpp"

namespace ferry::engine {

/// A listener as operators see it: a deployed process's operation and whether it takes calls.
struct listener_status {
    std::string process;
    std::string operation;  // createOrder (served at /ws/simple/createOrder)
    std::string queue;      // or the internal queue it listens on
    std::uint32_t version = 0;
    std::string state;          // listening, paused, errored
    std::string error;          // why it is errored
    std::int64_t since_ms = 0;  // when it entered that state
};

/// One known version of a process.
struct version_status {
    std::string process;
    std::uint32_t version = 0;
    std::string operation;
    std::string queue;    // the internal queue it listens on, "" for an operation
    bool active = false;  // serves the operation
    std::string source;   // "directory" (the --processes files) or "admin" (deployed)
    std::string file;     // the file it came from
    std::int64_t deployed_ms = 0;
};

/// One known version of an API (docs/apis.md).
struct api_version_status {
    std::shared_ptr<const api_definition> api;
    bool active = false;  // serves its base path
    std::string source;   // "directory" (the --processes files) or "admin" (deployed)
    std::int64_t deployed_ms = 0;
};

/// What a deploy did: `deployed` is the process, or `api` the API version.
struct deploy_outcome {
    std::shared_ptr<const process> deployed;
    bool changed = false;  // false: that exact definition was already deployed
    bool active = false;
    std::optional<std::uint32_t> replaced;  // the version that served before
    std::shared_ptr<const api_definition> api{};
};

/// Hot deployment (SPEC §7): the live registry, changed by operators without a restart and
/// kept in the control entries (the store; in cluster mode, the cluster's control bucket too)
/// so that a restart serves what was deployed, undeployed and paused.
/// Every change publishes a new registry snapshot; executions running keep theirs, so they
/// finish on the version they started with, and stored executions run on the version they
/// were stored for while it is known (registry::for_execution).
///
/// Concurrency: thread-safe; changes are serialized. Blocking (synced store writes): call it
/// off the I/O threads.
class deployments {
public:
    deployments(control_entries& control, registry_holder& live);

    /// At start-up: the --processes directory's processes, with what operators deployed,
    /// undeployed and paused laid over them, published. Returns warnings for the log (a stored
    /// definition that no longer loads makes its listener errored rather than stopping the
    /// server).
    std::vector<std::string> restore(std::shared_ptr<const registry> directory);
    /// Serves the control entries again as they are now (cluster mode: another node changed
    /// them), over the directory restore() was given. Returns warnings for the log.
    std::vector<std::string> reload();

    /// Deploys a definition (YAML text; `file` names it in errors): a process or an API
    /// (is_api_definition_text). With `activate` a process serves its operation at once,
    /// replacing the version that did, and an API serves its base path, replacing the version
    /// of the same API there; else it is only kept until activated. Refusals:
    /// invalid_definition, version_exists, operation_taken, base_path_taken, storage_error.
    /// A new version of an API that would break the callers of the version it replaces at
    /// its base path (diff_openapi) is refused (breaking_change) unless `allow_breaking`.
    refused_or<deploy_outcome> deploy(const std::string& text, const std::string& file,
                                      bool activate, bool allow_breaking = false);
    /// Makes a known version the active one (roll back or forward). Refusals:
    /// unknown_process, unknown_version, operation_taken, invalid_definition, storage_error.
    refused_or<deploy_outcome> activate(const std::string& name, std::uint32_t version);
    /// Stops serving `name` (its operation answers 404); its versions stay known so that
    /// stored executions still finish. Refusals: unknown_process, in_use (a process or an
    /// API uses it), storage_error.
    refused_or<void> undeploy(const std::string& name);

    /// APIs: makes a known version serve its base path; stops serving every base path of API
    /// `name` (only those of `version` when given). Refusals: unknown_api, base_path_taken,
    /// breaking_change,
    /// invalid_definition (an operation it names is not served), storage_error.
    refused_or<deploy_outcome> activate_api(const std::string& name, std::uint32_t version,
                                            bool allow_breaking = false);
    refused_or<void> undeploy_api(const std::string& name,
                                  std::optional<std::uint32_t> version = std::nullopt);
    std::vector<api_version_status> api_versions() const;

    /// A paused listener answers 503 listener_paused, also after a restart, until resumed.
    refused_or<listener_status> pause(const std::string& name);
    refused_or<listener_status> resume(const std::string& name);
    /// Loads the listener's definition again (its file, or the stored text) and serves it
    /// afresh; an errored listener that now loads listens again. A paused one stays paused.
    refused_or<listener_status> restart(const std::string& name);

    std::vector<listener_status> listeners() const;
    std::vector<version_status> versions() const;

private:
    struct version_meta {
        std::string source;
        std::int64_t deployed_ms = 0;
    };
    refused_or<deploy_outcome> publish_active(std::shared_ptr<const process> p, bool changed,
                                              std::vector<control_entries::change> changes);
    // APIs (api_deployments.cpp), with the mutex held.
    refused_or<deploy_outcome> deploy_api(const std::string& text, const std::string& file,
                                          bool activate, bool allow_breaking);
    refused_or<deploy_outcome> serve_api(std::shared_ptr<const api_definition> api, bool changed,
                                         bool allow_breaking);
    void rebuild_apis(registry& next, const registry* before, std::vector<std::string>& warnings);
    /// in_use when a served API names an operation `next` no longer serves.
    refused_or<void> check_apis_still_served(const registry& next) const;
    refused_or<listener_status> set_paused(const std::string& name, bool paused);
    refused_or<void> persist(const std::vector<control_entries::change>& changes);
    std::vector<std::string> rebuild();
    listener_status status_of(const registry& r, const std::string& name) const;

    control_entries& control_;
    registry_holder& live_;
    std::shared_ptr<const registry> directory_;  // the --processes files
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::uint32_t>, version_meta> meta_;
    std::map<std::pair<std::string, std::uint32_t>, version_meta> api_meta_;
    /// A listener whose definition does not load (or whose operation is taken).
    struct errored {
        std::uint32_t version = 0;
        std::string text;  // to load again on restart
        std::string file;
        std::string error;
    };
    std::map<std::string, errored> errors_;      // by process name
    std::map<std::string, std::int64_t> since_;  // listener state changes
};

}  // namespace ferry::engine
