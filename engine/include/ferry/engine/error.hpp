#pragma once

#include <boost/system/error_code.hpp>
#include <string_view>

#include "ferry/errors/enum_category.hpp"

namespace ferry::engine {

/// Why the engine refuses what an operator or a caller asked. Each value has a stable name
/// (`code_name`) that the admin API answers with as `error` (docs/admin-api.md).
enum class errc {
    unknown_process = 1,    // no process (or no deployed process) has that name
    unknown_version,        // the process has no such version
    unknown_listener,       // no deployed process listens under that name
    unknown_execution,      // no execution has that id
    unknown_dead_letter,    // no dead letter has that id
    process_not_deployed,   // the stored execution's process is no longer deployed
    version_needs_process,  // a replay naming a version must name its process too
    invalid_definition,     // the process file does not load
    version_exists,         // that version is deployed with another text
    operation_taken,        // another process listens on that operation
    in_use,                 // another process still calls it
    documents_missing,      // stored documents an execution needs are gone (retention)
    too_many_jobs,          // the bounded set of replay jobs is full
    shutting_down,          // the engine is stopping
    storage_error,          // the store failed to read or write (the detail says how)
    cluster_unavailable,    // cluster mode: the cluster did not take the change in time
    unknown_api,            // no API (or no such version of it) has that name
    base_path_taken,        // another API serves that base path
    breaking_change,        // the new API version would break callers of the one it replaces
};

const char* category_name(errc) noexcept;
/// A sentence for logs and error_code::message().
const char* describe(errc e) noexcept;
/// The stable snake_case name of the value: "unknown_process".
std::string_view code_name(errc e) noexcept;

inline const boost::system::error_category& error_category() noexcept {
    return errors::category_of<errc>();
}

inline boost::system::error_code make_error_code(errc e) noexcept { return errors::make_code(e); }

}  // namespace ferry::engine

template <>
struct boost::system::is_error_code_enum<ferry::engine::errc> : std::true_type {};
