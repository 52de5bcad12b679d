// JSON as YAML, for /ws/rest/<base path>/openapi.yaml: block style, every string (keys too)
// double-quoted, which YAML reads exactly as JSON escapes it.
#include <boost/json/serialize.hpp>

#include "ferry/engine/apis/openapi.hpp"

namespace ferry::engine {
namespace {

namespace json = boost::json;

void write(const json::value& v, int indent, std::string& out);

std::string quoted(std::string_view text) { return json::serialize(json::string_view(text)); }

bool is_empty_container(const json::value& v) {
    return (v.is_object() && v.as_object().empty()) || (v.is_array() && v.as_array().empty());
}

bool is_scalar(const json::value& v) { return !v.is_object() && !v.is_array(); }

// A value after "key:" or "-": scalars and empty containers on the same line, others below.
void write_after(const json::value& v, int indent, std::string& out) {
    if (is_scalar(v) || is_empty_container(v)) {
        out += ' ';
        out += is_scalar(v) ? json::serialize(v) : (v.is_object() ? "{}" : "[]");
        out += '\n';
        return;
    }
    out += '\n';
    write(v, indent, out);
}

void write(const json::value& v, int indent, std::string& out) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    if (v.is_object()) {
        for (const auto& [key, value] : v.as_object()) {
            out += pad + quoted(key) + ":";
            write_after(value, indent + 2, out);
        }
    } else if (v.is_array()) {
        for (const auto& item : v.as_array()) {
            out += pad + "-";
            write_after(item, indent + 2, out);
        }
    } else {
        out += pad + json::serialize(v) + "\n";
    }
}

}  // namespace

std::string yaml_text(const json::value& value) {
    std::string out;
    if (is_scalar(value) || is_empty_container(value)) {
        out = is_scalar(value) ? json::serialize(value) : (value.is_object() ? "{}" : "[]");
        return out + "\n";
    }
    write(value, 0, out);
    return out;
}

}  // namespace ferry::engine
