#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ferry/engine/model/process.hpp"
#include "ferry/engine/model/registry.hpp"

namespace ferry::engine {

/// A mistake in a process definition: what() reads "FILE:LINE:COLUMN: sentence".
/// Thrown at start-up only (fail fast); never while serving.
class definition_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Parses and validates one YAML process definition, with the profiles beside it.
std::shared_ptr<const process> load_process_file(const std::string& path);

/// Parses and validates a definition given as text; `name` (a file name) is what errors cite.
std::shared_ptr<const process> load_process_text(const std::string& text, const std::string& name);

/// Loads a set of definitions (name, text) as one registry, checked as a whole (operations
/// unique, process_call targets deployed; API definitions among them: base paths unique, their
/// operations served): how workers load what the serving process ships.
std::shared_ptr<const registry> load_process_set(
    const std::vector<std::pair<std::string, std::string>>& definitions);

/// Checks the process_call steps of the active processes: each names an active process, and
/// no chain of waiting calls comes back to its start. Throws definition_error.
void check_process_calls(const registry& processes);

/// Checks that every operation `api` names (routes, SOAP) is served by an active process of
/// `processes`. Throws definition_error "FILE: route GET orders/{orderId}: ...".
void check_api_operations(const registry& processes, const api_definition& api);

/// Adds to a definition the profiles its listen operation names (request_profile,
/// response_profile) and does not carry yet, read from `NAME.profile.yaml` beside `file`,
/// each after a line `--- # ferry profile NAME`, so that the definition is complete on its
/// own (stored, deployed, shipped to workers). Throws definition_error for a profile file
/// with a mistake; a profile file that is not there is left for the loader to report.
std::string bundle_profiles(const std::string& text, const std::string& file);

/// Loads every *.yaml / *.yml file of `directory` (one process or API per file; *.profile.yaml
/// files are profiles, bundled into the processes that name them); two processes that serve the
/// same operation are a definition error.
/// Without `with_apis`, the API files of the directory are skipped.
std::shared_ptr<const registry> load_process_directory(const std::string& directory,
                                                       bool with_apis = true);

}  // namespace ferry::engine
