#include "model/yaml_reader.hpp"

#include <algorithm>
#include <set>

namespace ferry::engine {

void yaml_reader::fail(const YAML::Mark& mark, const std::string& sentence) const {
    if (mark.is_null()) throw definition_error(path_ + ": " + sentence);
    throw definition_error(path_ + ":" + std::to_string(mark.line + 1) + ":" +
                           std::to_string(mark.column + 1) + ": " + sentence);
}

std::string yaml_reader::missing_profile(const std::string& name) {
    return "profile '" + name + "' is not there: put " + name +
           ".profile.yaml beside this file (ferry serve and ferry deploy bring it along), or "
           "write one with ferry profile import";
}

void yaml_reader::only_keys(const YAML::Node& map, const std::string& where,
                            std::initializer_list<std::string_view> allowed) const {
    for (const auto& entry : map) {
        if (!entry.first.IsScalar()) {
            fail(entry.first.Mark(), "a field name in " + where + " must be a plain name");
        }
        const auto key = entry.first.as<std::string>();
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            fail(entry.first.Mark(), "unknown field '" + key + "' in " + where);
        }
    }
}

YAML::Node yaml_reader::required(const YAML::Node& map, const std::string& key,
                                 const std::string& where) const {
    auto node = map[key];
    if (!node) fail(map.Mark(), where + " needs the field '" + key + "'");
    return node;
}

std::string yaml_reader::scalar(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(node.Mark(), what + " must be a single value");
    return node.as<std::string>();
}

std::string yaml_reader::required_string(const YAML::Node& map, const std::string& key,
                                         const std::string& where) const {
    auto value = scalar(required(map, key, where), key);
    if (value.empty()) fail(map[key].Mark(), key + " must not be empty");
    return value;
}

std::uint32_t yaml_reader::number(const YAML::Node& node, const std::string& what) const {
    try {
        const auto value = node.as<long long>();
        if (value >= 1 && value <= 1'000'000) return static_cast<std::uint32_t>(value);
    } catch (const YAML::Exception&) {
    }
    fail(node.Mark(), what + " must be a whole number from 1 to 1000000");
}

bool yaml_reader::boolean(const YAML::Node& node, const std::string& what) const {
    try {
        return node.as<bool>();
    } catch (const YAML::Exception&) {
        fail(node.Mark(), what + " must be true or false");
    }
}

void yaml_reader::need_map(const YAML::Node& node, const std::string& what,
                           const std::string& example) const {
    if (!node.IsMap()) fail(node.Mark(), what + " needs a map, for example " + example);
}

message_template yaml_reader::read_template(const YAML::Node& parent, const YAML::Node& text_node,
                                            const std::string& what,
                                            const element_typing* typing) const {
    auto variables = read_variables(parent["variables"], typing);
    auto parsed = message_template::parse(scalar(text_node, what), variables.size());
    if (!parsed) fail(text_node.Mark(), what + ": " + parsed.error());
    parsed->set_variables(std::move(variables));
    return std::move(*parsed);
}

std::vector<variable> yaml_reader::read_variables(const YAML::Node& node,
                                                  const element_typing* typing) const {
    std::vector<variable> out;
    if (!node) return out;
    if (!node.IsSequence()) fail(node.Mark(), "variables must be a list");
    for (const auto& entry : node) out.push_back(read_variable(entry, typing));
    return out;
}

// {element: PATH, date: MASK}: the path must reach a value of the typing profile, whose type
// the variable takes; `date` rewrites a date element in another mask.
variable yaml_reader::read_element_variable(const YAML::Node& node,
                                            const element_typing* typing) const {
    only_keys(node, "an element variable", {"element", "date"});
    variable v{variable_kind::element, scalar(node["element"], "element")};
    const auto date = node["date"];
    if (date) {
        v.date_out = scalar(date, "date");
        if (!profiles::valid_mask(v.date_out)) {
            fail(date.Mark(),
                 "date must be a date mask such as dd.MM.yyyy (yyyy yy MM dd HH mm "
                 "ss SSS, literal text in single quotes)");
        }
    }
    if (!typing || !typing->profile) {
        if (date) {
            fail(date.Mark(),
                 "date rewrites a date element, so the step needs a profile that "
                 "says the element is a date: add profile: NAME to the step");
        }
        return v;
    }
    const auto& p = *typing->profile;
    const auto target = profiles::resolve_path(*typing->at, v.argument);
    if (!target) {
        fail(node["element"].Mark(), "element path '" + v.argument + "' is not in profile '" +
                                         p.name + "': " + target.error());
    }
    if (target->structure()) {
        fail(node["element"].Mark(), "element path '" + v.argument + "' reaches '" +
                                         target->element->name +
                                         "', which holds elements, not a value");
    }
    v.shape = target->shape();
    v.profile = p.name;
    if (date && v.shape->type != profiles::value_type::date) {
        fail(date.Mark(), "date rewrites a date, but '" + v.argument + "' is a " +
                              std::string(profiles::to_string(v.shape->type)) + " in profile '" +
                              p.name + "'");
    }
    return v;
}

variable yaml_reader::read_variable(const YAML::Node& node, const element_typing* typing) const {
    static const std::set<std::string, std::less<>> execution_values = {
        "execution_id", "process_name", "process_version", "document_id", "document_index"};
    if (node.IsScalar()) {
        const auto name = node.as<std::string>();
        if (name == "current_data") return {variable_kind::current_data, ""};
        if (name == "unique") return {variable_kind::unique, ""};
        if (execution_values.contains(name)) return {variable_kind::execution, name};
        fail(node.Mark(), "unknown variable '" + name +
                              "'; use current_data, unique, execution_id, "
                              "document_id, document_index, process_name, process_version or a "
                              "map such as {static: text}");
    }
    if (node.IsMap() && node["element"]) return read_element_variable(node, typing);
    if (!node.IsMap() || node.size() != 1) {
        fail(node.Mark(), "a variable is a name or a map with one entry such as {static: x}");
    }
    const auto entry = *node.begin();
    const auto kind = entry.first.as<std::string>();
    const auto argument = scalar(entry.second, kind);
    if (kind == "static") return {variable_kind::static_text, argument};
    if (kind == "document_property") return {variable_kind::document_property, argument};
    if (kind == "process_property") return {variable_kind::process_property, argument};
    if (kind == "date") return {variable_kind::date, argument};
    if (kind == "environment") return {variable_kind::environment, argument};
    if (kind == "sequence") return {variable_kind::sequence, argument};
    if (kind == "execution") {
        if (!execution_values.contains(argument)) {
            fail(entry.second.Mark(), "unknown execution value '" + argument + "'");
        }
        return {variable_kind::execution, argument};
    }
    fail(entry.first.Mark(),
         "unknown variable kind '" + kind +
             "'; use static, "
             "document_property, process_property, element, environment, sequence, execution "
             "or date");
}

}  // namespace ferry::engine
