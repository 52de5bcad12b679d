// JSON <-> element tree.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <map>
#include <set>

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
        case json::kind::double_: {
            // Shortest text that reads back as the same double: 12.5, not 1.25E1.
            char buffer[32];
            const auto end = std::to_chars(buffer, buffer + sizeof buffer, v.get_double()).ptr;
            e.text.assign(buffer, end);
            e.kind = value_kind::number;
            break;
        }
        default:  // integers
            e.text = json::serialize(v);
            e.kind = value_kind::number;
    }
}

void write_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += "\\u00";
                    out.push_back(hex[(c >> 4) & 0xf]);
                    out.push_back(hex[c & 0xf]);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

bool is_json_number(std::string_view text) {
    json::error_code ec;
    const auto v = json::parse(text, ec);
    return !ec && v.is_number();
}

void write_leaf(std::string& out, const element& e) {
    switch (e.kind) {
        case value_kind::null:
            out += "null";
            return;
        case value_kind::boolean:
            out += e.text == "true" ? "true" : "false";
            return;
        case value_kind::number:
            // Numbers keep the text they were read or mapped with.
            if (is_json_number(e.text)) {
                out += e.text;
                return;
            }
            break;
        case value_kind::text:
            break;
    }
    write_string(out, e.text);
}

void write_value(std::string& out, const element& e) {
    if (e.is_leaf()) return write_leaf(out, e);
    out.push_back('{');
    bool first = true;
    const auto member = [&](std::string_view name) {
        if (!first) out.push_back(',');
        first = false;
        write_string(out, name);
        out.push_back(':');
    };
    for (const auto& [name, value] : e.attributes) {
        member("@" + name);
        write_string(out, value);
    }
    if (!e.text.empty()) {
        member("#text");
        write_string(out, e.text);
    }
    // Children with the same name (or marked as array items) form one array, placed where
    // the first of them stands.
    std::map<std::string_view, std::size_t> counts;
    for (const auto& c : e.children) ++counts[c.name];
    std::set<std::string_view> written;
    for (const auto& c : e.children) {
        if (counts[c.name] == 1 && !c.array) {
            member(c.name);
            write_value(out, c);
            continue;
        }
        if (!written.insert(c.name).second) continue;
        member(c.name);
        out.push_back('[');
        bool first_item = true;
        for (const auto& item : e.children) {
            if (item.name != c.name) continue;
            if (!first_item) out.push_back(',');
            first_item = false;
            write_value(out, item);
        }
        out.push_back(']');
    }
    out.push_back('}');
}

}  // namespace

element from_json(const json::value& value, std::string name) {
    element root;
    root.name = std::move(name);
    fill(root, value);
    return root;
}

std::string write_json(const element& root) {
    std::string out;
    if (!root.children.empty() && root.attributes.empty() && root.text.empty()) {
        const bool all_items =
            std::all_of(root.children.begin(), root.children.end(),
                        [](const element& c) { return c.name == "item" && c.array; });
        if (all_items) {
            out.push_back('[');
            for (std::size_t i = 0; i < root.children.size(); ++i) {
                if (i > 0) out.push_back(',');
                write_value(out, root.children[i]);
            }
            out.push_back(']');
            return out;
        }
    }
    write_value(out, root);
    return out;
}

}  // namespace ferry::profiles
