#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/engine/model/message_template.hpp"
#include "ferry/engine/model/process_loader.hpp"

namespace ferry::engine {

/// The profile a step's element variables are typed by (SPEC §6), and the element their paths
/// start from (the root, or a map's current `each` item).
struct element_typing {
    const profiles::profile* profile = nullptr;
    const profiles::profile_element* at = nullptr;
};

/// Reading values out of one definition file, where every mistake becomes a definition_error
/// "FILE:LINE:COLUMN: sentence". Shared by the process loader and the step reader.
class yaml_reader {
public:
    explicit yaml_reader(std::string path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& sentence) const;
    void only_keys(const YAML::Node& map, const std::string& where,
                   std::initializer_list<std::string_view> allowed) const;
    YAML::Node required(const YAML::Node& map, const std::string& key,
                        const std::string& where) const;
    std::string scalar(const YAML::Node& node, const std::string& what) const;
    std::string required_string(const YAML::Node& map, const std::string& key,
                                const std::string& where) const;
    std::uint32_t number(const YAML::Node& node, const std::string& what) const;
    bool boolean(const YAML::Node& node, const std::string& what) const;
    void need_map(const YAML::Node& node, const std::string& what,
                  const std::string& example) const;
    /// A template with its `variables` list, read from `parent`. With `typing`, element
    /// variables must name a value of that profile and take its type.
    message_template read_template(const YAML::Node& parent, const YAML::Node& text_node,
                                   const std::string& what,
                                   const element_typing* typing = nullptr) const;
    std::vector<variable> read_variables(const YAML::Node& node,
                                         const element_typing* typing = nullptr) const;
    variable read_variable(const YAML::Node& node, const element_typing* typing = nullptr) const;

    const std::string& path() const { return path_; }
    /// The sentence for a profile a definition names but does not carry.
    static std::string missing_profile(const std::string& name);

private:
    variable read_element_variable(const YAML::Node& node, const element_typing* typing) const;

    std::string path_;
};

}  // namespace ferry::engine
