#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "ferry/engine/model/process.hpp"
#include "model/yaml_reader.hpp"

namespace ferry::engine {

/// Reads a process's step tree (SPEC §3) and checks its rules: known step kinds, their fields,
/// unique step ids, and that a step opening paths ends its own path.
class step_reader : yaml_reader {
public:
    explicit step_reader(std::string path) : yaml_reader(std::move(path)) {}

    /// A list of steps; a step that opens paths must be the last of its list.
    step_list read_path(const YAML::Node& node, const std::string& what);
    /// Where the first return step was written, if any.
    const std::optional<YAML::Mark>& first_return() const { return first_return_; }
    /// The profiles the definition carries, for steps that name one with `profile:`.
    void use_profiles(const std::map<std::string, profiles::profile>& carried) {
        profiles_ = &carried;
    }

private:
    /// Where the map step's paths are: the profiles and the elements they are relative to.
    struct map_typing {
        element_typing source, target;
    };
    /// The profile `node[key]` names (nullptr without the key); a load error when the
    /// definition does not carry it.
    const profiles::profile* named_profile(const YAML::Node& node, const char* key) const;
    /// Typing by the step's `profile:` from its root (nothing typed without one).
    element_typing typing_of(const YAML::Node& node) const;
    /// "an integer", "a date written yyyy-MM-dd": a shape in a sentence.
    static std::string describe(const profiles::value_shape& shape);
    void check_typed_comparison(const decision_step& d, const YAML::Node& node) const;

    step read_step(const YAML::Node& node);
    message_step read_message(const YAML::Node& node) const;
    set_properties_step read_set_properties(const YAML::Node& node) const;
    branch_step read_branch(const YAML::Node& node);
    comparison read_comparison(const YAML::Node& node) const;
    decision_step read_decision(const YAML::Node& node);
    route_step read_route(const YAML::Node& node);
    split_step read_split(const YAML::Node& node) const;
    combine_step read_combine(const YAML::Node& node) const;
    return_step read_return(const YAML::Node& node) const;
    bool read_scope(const YAML::Node& node, const std::string& step,
                    const std::string& local) const;
    stop_step read_stop(const YAML::Node& node) const;
    exception_step read_exception(const YAML::Node& node) const;
    try_catch_step read_try_catch(const YAML::Node& node);
    file_write_step read_file_write(const YAML::Node& node) const;
    map_step read_map(const YAML::Node& node) const;
    std::vector<map_field> read_map_fields(const YAML::Node& node, const map_typing& typing) const;
    map_field read_map_field(const YAML::Node& node, const map_typing& typing) const;
    /// Checks a field's paths against the map's profiles and takes their types.
    void type_map_field(map_field& f, const YAML::Node& node, const map_typing& typing) const;
    /// The typing inside an `each` field: relative to its source item and target element.
    map_typing each_typing(const YAML::Node& node, const map_field& f,
                           const map_typing& typing) const;
    process_call_step read_process_call(const YAML::Node& node) const;
    http_call_step read_http_call(const YAML::Node& node) const;
    queue_send_step read_queue_send(const YAML::Node& node) const;

    std::set<std::string> ids_;  // step ids, unique over the whole process
    std::size_t step_count_ = 0;
    std::optional<YAML::Mark> first_return_;
    const std::map<std::string, profiles::profile>* profiles_ = nullptr;
};

}  // namespace ferry::engine
