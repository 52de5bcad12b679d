// JSON <-> element tree.
#include <boost/json/parse.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <algorithm>
#include <map>

#include "ferry/profiles/element.hpp"

namespace ferry::profiles {
namespace json = boost::json;
namespace {

void fill(element& e, const json::value& v) {
    switch (v.kind()) {
        case json::kind::object:
            for (const auto& member : v.get_object()) {
                const std::string name(member.key());
                if (member.value().is_array()) {
                    // An array member is its items, each an element with the member's name.
                    for (const auto& item : member.value().get_array()) {
                        element child;
                        child.name = name;
                        child.array = true;
                        fill(child, item);
                        e.children.push_back(std::move(child));
                    }
                    continue;
                }
                element child;
                child.name = name;
                fill(child, member.value());
                e.children.push_back(std::move(child));
            }
            break;
        case json::kind::array:  // an array directly inside an array
            for (const auto& item : v.get_array()) {
                element child;
                child.name = "item";
                child.array = true;
                fill(child, item);
                e.children.push_back(std::move(child));
            }
            break;
        case json::kind::string:
            e.text = std::string(v.get_string());
            break;
        case json::kind::bool_:
            e.text = v.get_bool() ? "true" : "false";
            e.kind = value_kind::boolean;
            break;
        case json::kind::null:
            e.kind = value_kind::null;
            break;
        default:  // numbers keep their written form
            e.text = json::serialize(v);
            e.kind = value_kind::number;
    }
}

json::value leaf(const element& e) {
    switch (e.kind) {
        case value_kind::null:
            return nullptr;
        case value_kind::boolean:
            return e.text == "true";
        case value_kind::number: {
            json::error_code ec;
            auto v = json::parse(e.text, ec);
            if (!ec && v.is_number()) return v;
            return json::string(e.text);
        }
        case value_kind::text:
            break;
    }
    return json::string(e.text);
}

json::value to_value(const element& e) {
    if (e.is_leaf()) return leaf(e);
    json::object out;
    for (const auto& [name, value] : e.attributes) out["@" + name] = value;
    if (!e.text.empty()) out["#text"] = e.text;
    // Children with the same name (or marked as array items) form one array, placed where
    // the first of them stands.
    std::map<std::string, std::size_t, std::less<>> counts;
    for (const auto& c : e.children) ++counts[c.name];
    for (const auto& c : e.children) {
        if (counts[c.name] > 1 || c.array) {
            auto& slot = out[c.name];
            if (!slot.is_array()) slot = json::array();
            slot.get_array().push_back(to_value(c));
        } else {
            out[c.name] = to_value(c);
        }
    }
    return out;
}

}  // namespace

element from_json(const json::value& value, std::string name) {
    element root;
    root.name = std::move(name);
    fill(root, value);
    return root;
}

boost::system::result<element, json_problem> parse_json(std::string_view text) {
    json::error_code ec;
    json::stream_parser p;
    const auto used = p.write(text.data(), text.size(), ec);
    if (!ec) p.finish(ec);
    if (ec) return json_problem{used + 1, ec.message()};
    return from_json(p.release());
}

std::string write_json(const element& root) {
    if (!root.children.empty() && root.attributes.empty() && root.text.empty()) {
        const bool all_items = std::all_of(root.children.begin(), root.children.end(),
                                           [](const element& c) { return c.name == "item" && c.array; });
        if (all_items) {
            json::array out;
            for (const auto& c : root.children) out.push_back(to_value(c));
            return json::serialize(out);
        }
    }
    return json::serialize(to_value(root));
}

}  // namespace ferry::profiles
