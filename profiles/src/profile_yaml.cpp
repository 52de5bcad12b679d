// Profiles as YAML files: reading with positions for every mistake, writing compactly.
#include "ferry/profiles/profile_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <initializer_list>

#include "ferry/profiles/date_mask.hpp"
#include "ferry/profiles/xml_name.hpp"

namespace ferry::profiles {
namespace {

constexpr std::size_t max_depth = 256;

/// Thrown inside the reader only; read_profile turns it into a value.
struct read_failure {
    profile_error error;
};

[[noreturn]] void fail(const YAML::Node& node, std::string message) {
    const auto mark = node.Mark();
    throw read_failure{{mark.line >= 0 ? static_cast<std::size_t>(mark.line) + 1 : 0,
                        mark.column >= 0 ? static_cast<std::size_t>(mark.column) + 1 : 0,
                        std::move(message)}};
}

void only_keys(const YAML::Node& map, std::string_view where,
               std::initializer_list<std::string_view> allowed) {
    for (const auto& entry : map) {
        const auto key = entry.first.as<std::string>();
        bool known = false;
        for (const auto a : allowed) known = known || a == key;
        if (!known) {
            std::string list;
            for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
            fail(entry.first,
                 "unknown key '" + key + "' in " + std::string(where) + " (known: " + list + ")");
        }
    }
}

std::string text(const YAML::Node& node, std::string_view what) {
    if (!node.IsScalar()) fail(node, std::string(what) + " must be a single value");
    return node.as<std::string>();
}

std::size_t count(const YAML::Node& node, std::string_view what) {
    const auto t = text(node, what);
    if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos) {
        fail(node, std::string(what) + " must be a whole number, not '" + t + "'");
    }
    return std::stoul(t);
}

bool flag(const YAML::Node& node, std::string_view what) {
    const auto t = text(node, what);
    if (t == "true") return true;
    if (t == "false") return false;
    fail(node, std::string(what) + " must be true or false, not '" + t + "'");
}

void read_type(const YAML::Node& node, value_type& type, std::string& mask,
               std::string_view where) {
    if (const auto t = node["type"]) {
        const auto name = text(t, "type");
        const auto parsed = parse_value_type(name);
        if (!parsed) {
            fail(t, "unknown type '" + name + "' in " + std::string(where) +
                        " (string, number, integer, boolean, date)");
        }
        type = *parsed;
    }
    if (const auto m = node["mask"]) {
        mask = text(m, "mask");
        if (type != value_type::date) fail(m, "a mask is for type date only");
        if (!valid_mask(mask)) {
            fail(m, "mask '" + mask +
                        "' has no date field (yyyy, MM, dd, HH, mm, ss, SSS) or an "
                        "unclosed quote");
        }
    } else if (type == value_type::date) {
        fail(node, std::string(where) + " has type date but no mask (e.g. mask: yyyy-MM-dd)");
    }
}

// XML names are checked; a JSON member may have any name, the empty one included.
void need_xml_name(const YAML::Node& node, const std::string& name, std::string_view what) {
    if (valid_xml_name(name)) return;
    fail(node,
         "'" + name + "' is not an XML " + std::string(what) +
             " name (it starts with neither a digit, '-' nor '.', and holds no spaces, markup, "
             "quotes, '=', '/' or '@')");
}

profile_attribute read_attribute(const YAML::Node& node, std::string_view owner) {
    if (!node.IsMap()) fail(node, "an attribute is a map such as {name: id, type: integer}");
    only_keys(node, "an attribute", {"name", "type", "mask", "required"});
    profile_attribute a;
    if (!node["name"]) fail(node, "an attribute of '" + std::string(owner) + "' has no name");
    a.name = text(node["name"], "an attribute name");
    need_xml_name(node["name"], a.name, "attribute");
    read_type(node, a.type, a.mask, "attribute '" + a.name + "'");
    if (const auto r = node["required"]) a.required = flag(r, "required");
    return a;
}

profile_element read_element(const YAML::Node& node, const std::string& parent_namespace,
                             profile_format format, std::size_t depth, bool root) {
    if (depth > max_depth) fail(node, "elements nested deeper than 256 levels");
    if (!node.IsMap()) fail(node, "an element is a map such as {name: id, type: integer}");
    only_keys(node, "an element",
              {"name", "namespace", "type", "mask", "min", "max", "nullable", "order", "attributes",
               "elements"});
    profile_element e;
    if (const auto n = node["name"]) {
        e.name = text(n, "an element name");
        if (format == profile_format::xml) need_xml_name(n, e.name, "element");
    } else if (!(root && format == profile_format::json)) {
        fail(node, "an element has no name");
    }
    const std::string where = "element '" + e.name + "'";
    e.namespace_uri = parent_namespace;
    if (const auto ns = node["namespace"]) {
        if (format != profile_format::xml) fail(ns, "namespaces are for XML profiles only");
        e.namespace_uri = ns.IsNull() ? std::string() : text(ns, "namespace");
    }
    read_type(node, e.type, e.mask, where);
    if (const auto m = node["min"]) e.min = count(m, "min");
    if (const auto m = node["max"]) {
        if (m.IsScalar() && m.as<std::string>() == "unbounded") {
            e.max.reset();
        } else {
            e.max = count(m, "max");
            if (*e.max == 0) fail(m, "max must be at least 1 (or unbounded)");
        }
    }
    if (e.max && e.min > *e.max) fail(node, where + " has min above max");
    if (const auto n = node["nullable"]) e.nullable = flag(n, "nullable");
    if (const auto o = node["order"]) {
        const auto order = text(o, "order");
        if (order != "sequence" && order != "any") fail(o, "order is sequence or any");
        e.any_order = order == "any";
    }
    if (const auto attributes = node["attributes"]) {
        if (format != profile_format::xml) fail(attributes, "attributes are for XML profiles only");
        if (!attributes.IsSequence()) fail(attributes, "attributes is a list");
        for (const auto& a : attributes) e.attributes.push_back(read_attribute(a, e.name));
    }
    if (const auto children = node["elements"]) {
        if (!children.IsSequence()) fail(children, "elements is a list");
        for (const auto& c : children) {
            auto child = read_element(c, e.namespace_uri, format, depth + 1, false);
            if (e.child(child.name) && format == profile_format::json) {
                fail(c, "'" + e.name + "' has two members named '" + child.name + "'");
            }
            e.elements.push_back(std::move(child));
        }
        if (node["type"] && !e.elements.empty()) {
            fail(node["type"], where + " has elements, so it has no type of its own");
        }
    }
    return e;
}

profile read(std::string_view source) {
    YAML::Node doc;
    try {
        doc = YAML::Load(std::string(source));
    } catch (const YAML::ParserException& e) {
        throw read_failure{{static_cast<std::size_t>(e.mark.line) + 1,
                            static_cast<std::size_t>(e.mark.column) + 1, e.msg}};
    }
    if (!doc.IsMap()) fail(doc, "a profile is a map with profile, format and root");
    only_keys(doc, "a profile", {"profile", "format", "root"});
    profile p;
    if (!doc["profile"]) fail(doc, "the profile has no name (profile: Order)");
    p.name = text(doc["profile"], "profile");
    if (!valid_profile_name(p.name)) {
        fail(doc["profile"], "a profile name is 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (!doc["format"]) fail(doc, "the profile has no format (format: xml or format: json)");
    const auto format = parse_profile_format(text(doc["format"], "format"));
    if (!format) fail(doc["format"], "format is xml or json");
    p.format = *format;
    if (!doc["root"]) fail(doc, "the profile has no root element");
    p.root = read_element(doc["root"], "", p.format, 0, true);
    return p;
}

void write_type(YAML::Emitter& out, value_type type, const std::string& mask) {
    if (type != value_type::string)
        out << YAML::Key << "type" << YAML::Value << std::string(to_string(type));
    if (!mask.empty()) out << YAML::Key << "mask" << YAML::Value << YAML::DoubleQuoted << mask;
}

void write_element(YAML::Emitter& out, const profile_element& e, const std::string& parent_ns,
                   bool root) {
    const bool compact = e.elements.empty() && e.attributes.empty();
    if (compact) out << YAML::Flow;
    out << YAML::BeginMap;
    if (!e.name.empty() || !root) out << YAML::Key << "name" << YAML::Value << e.name;
    if (e.namespace_uri != parent_ns) {
        out << YAML::Key << "namespace" << YAML::Value;
        if (e.namespace_uri.empty()) {
            out << YAML::Null;
        } else {
            out << e.namespace_uri;
        }
    }
    if (e.elements.empty()) write_type(out, e.type, e.mask);
    if (e.min != 1) out << YAML::Key << "min" << YAML::Value << e.min;
    if (!e.max) {
        out << YAML::Key << "max" << YAML::Value << "unbounded";
    } else if (*e.max != 1) {
        out << YAML::Key << "max" << YAML::Value << *e.max;
    }
    if (e.nullable) out << YAML::Key << "nullable" << YAML::Value << true;
    if (e.any_order) out << YAML::Key << "order" << YAML::Value << "any";
    if (!e.attributes.empty()) {
        out << YAML::Key << "attributes" << YAML::Value << YAML::BeginSeq;
        for (const auto& a : e.attributes) {
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << a.name;
            write_type(out, a.type, a.mask);
            if (a.required) out << YAML::Key << "required" << YAML::Value << true;
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    if (!e.elements.empty()) {
        out << YAML::Key << "elements" << YAML::Value << YAML::BeginSeq;
        for (const auto& c : e.elements) write_element(out, c, e.namespace_uri, false);
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
}

}  // namespace

std::string profile_error::describe(std::string_view file) const {
    return std::string(file) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
           message;
}

boost::system::result<profile, profile_error> read_profile(std::string_view text) {
    try {
        return read(text);
    } catch (const read_failure& f) {
        return f.error;
    } catch (const YAML::Exception& e) {
        return profile_error{static_cast<std::size_t>(e.mark.line) + 1,
                             static_cast<std::size_t>(e.mark.column) + 1, e.msg};
    }
}

std::string write_profile(const profile& p) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "profile" << YAML::Value << p.name;
    out << YAML::Key << "format" << YAML::Value << std::string(to_string(p.format));
    out << YAML::Key << "root" << YAML::Value;
    write_element(out, p.root, "", true);
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace ferry::profiles
