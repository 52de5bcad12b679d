#include "ferry/profiles/json_schema.hpp"

#include <boost/json/array.hpp>

#include "ferry/profiles/date_mask.hpp"

namespace ferry::profiles {
namespace {

boost::json::object value_schema(value_type type, const std::string& mask) {
    boost::json::object out;
    switch (type) {
        case value_type::number:
            out["type"] = "number";
            break;
        case value_type::integer:
            out["type"] = "integer";
            break;
        case value_type::boolean:
            out["type"] = "boolean";
            break;
        case value_type::date:
            out["type"] = "string";
            if (mask == "yyyy-MM-dd") {
                out["format"] = "date";
            } else {
                out["pattern"] = "^" + ecma_mask_pattern(mask) + "$";
                out["description"] = "a date written as " + mask;
            }
            break;
        case value_type::string:
            out["type"] = "string";
            break;
    }
    return out;
}

boost::json::object xml_of(const std::string& name, const std::string& ns, bool attribute) {
    boost::json::object xml;
    xml["name"] = name;
    if (!ns.empty()) xml["namespace"] = ns;
    if (attribute) xml["attribute"] = true;
    return xml;
}

// One occurrence of `e` (what an array of it holds when it repeats).
boost::json::object occurrence(const profile_element& e, bool xml) {
    boost::json::object out;
    if (e.is_leaf()) {
        out = value_schema(e.type, e.mask);
    } else {
        out["type"] = "object";
        boost::json::object properties;
        boost::json::array required;
        if (xml) {
            for (const auto& a : e.attributes) {
                auto schema = value_schema(a.type, a.mask);
                schema["xml"] = xml_of(a.name, "", true);
                properties[a.name] = std::move(schema);
                if (a.required) required.emplace_back(a.name);
            }
        }
        for (const auto& child : e.elements) {
            boost::json::object schema;
            if (child.repeats()) {
                schema["type"] = "array";
                schema["items"] = occurrence(child, xml);
                if (child.min > 0) schema["minItems"] = child.min;
                if (child.max) schema["maxItems"] = *child.max;
            } else {
                schema = occurrence(child, xml);
            }
            properties[child.name] = std::move(schema);
            if (child.min > 0) required.emplace_back(child.name);
        }
        out["properties"] = std::move(properties);
        if (!required.empty()) out["required"] = std::move(required);
    }
    if (e.nullable) out["nullable"] = true;
    if (xml) out["xml"] = xml_of(e.name, e.namespace_uri, false);
    return out;
}

}  // namespace

boost::json::object openapi_schema(const profile& p) {
    const bool xml = p.format == profile_format::xml;
    auto one = occurrence(p.root, xml);
    if (xml || !p.root.repeats()) return one;
    // A JSON profile whose root repeats describes a top-level array.
    boost::json::object array;
    array["type"] = "array";
    array["items"] = std::move(one);
    if (p.root.min > 0) array["minItems"] = p.root.min;
    if (p.root.max) array["maxItems"] = *p.root.max;
    return array;
}

std::string ecma_mask_pattern(std::string_view mask) {
    const auto xsd = mask_pattern(mask);
    std::string out;
    for (std::size_t i = 0; i < xsd.size(); ++i) {
        if (xsd[i] == '\\' && i + 1 < xsd.size() && xsd[i + 1] == '-') continue;
        out.push_back(xsd[i]);
        if (xsd[i] == '\\' && i + 1 < xsd.size()) out.push_back(xsd[++i]);
    }
    return out;
}

namespace {

std::string escaped_name(std::string_view name) {
    std::string out;
    for (const char c : name) {
        if (c == '.') out += '\\';
        out.push_back(c);
    }
    return out;
}

std::string value_pattern(value_type type, const std::string& mask) {
    switch (type) {
        case value_type::integer:
            return "\\s*[-+]?[0-9]+\\s*";
        case value_type::number:
            return "\\s*[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?\\s*";
        case value_type::boolean:
            return "\\s*(?:true|false|1|0)\\s*";
        case value_type::date:
            return "\\s*" + ecma_mask_pattern(mask) + "\\s*";
        case value_type::string:
            break;
    }
    return "[^<]*";
}

std::string element_pattern(const profile_element& e) {
    const auto name = "(?:[A-Za-z_][A-Za-z0-9_.-]*:)?" + escaped_name(e.name);
    std::string open = "<" + name;
    for (const auto& a : e.attributes) {
        if (a.required) open += "(?=[^>]*\\s" + escaped_name(a.name) + "\\s*=)";
    }
    open += "(?:\\s[^>]*)?";
    const auto close = "</" + name + "\\s*>";
    if (e.is_leaf()) {
        const auto value = value_pattern(e.type, e.mask);
        const auto empty_allowed = e.type == value_type::string;
        return open + "(?:>" + value + close + (empty_allowed ? "|/>)" : ")");
    }
    std::string children;
    if (e.any_order) {
        std::string choice;
        for (const auto& c : e.elements) choice += (choice.empty() ? "" : "|") + element_pattern(c);
        children = "(?:(?:" + choice + ")\\s*)*";
    } else {
        for (const auto& c : e.elements) {
            children += "(?:" + element_pattern(c) + "\\s*){" + std::to_string(c.min) + "," +
                        (c.max ? std::to_string(*c.max) : std::string()) + "}";
        }
    }
    return open + "(?:>\\s*" + children + close + ")";
}

}  // namespace

std::string xml_document_pattern(const profile& p) {
    return "^\\s*(?:<\\?xml[^>]*\\?>\\s*)?" + element_pattern(p.root) + "\\s*$";
}

}  // namespace ferry::profiles
