#include "console/html.hpp"

#include <boost/json/serialize.hpp>
#include <cstdio>

#include "ferry/profiles/xml_text.hpp"

namespace ferry::ingress::console {

std::string escape(std::string_view text) {
    // XML's references are HTML's too (&apos; included, since HTML5; tab, line feed and
    // carriage return as numeric references).
    return profiles::xml_escaped(text);
}

std::string text_of(const boost::json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_null()) return {};
    return boost::json::serialize(v);
}

std::string url_encode(std::string_view value) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    return out;
}

std::string short_time(const boost::json::value& iso) {
    auto text = text_of(iso);
    if (text.size() >= 19 && text[10] == 'T') {
        text[10] = ' ';
        text.resize(19);
    }
    return text;
}

std::string bytes_text(std::uint64_t bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    auto value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    return text;
}

std::string tag(std::string_view name, std::string_view text, std::string_view attributes) {
    std::string out = "<";
    out += name;
    if (!attributes.empty()) {
        out += ' ';
        out += attributes;
    }
    out += '>';
    out += escape(text);
    out += "</";
    out += name;
    out += '>';
    return out;
}

std::string link(std::string_view href, std::string_view text, std::string_view attributes) {
    std::string attrs = "href=\"" + escape(href) + "\"";
    if (!attributes.empty()) attrs += " " + std::string(attributes);
    return tag("a", text, attrs);
}

std::string badge(std::string_view state) {
    return tag("span", state, "class=\"badge state-" + escape(state) + "\"");
}

std::string action_button(const action& a) {
    std::string attrs = "type=\"button\" data-method=\"" + escape(a.method) + "\"";
    const auto add = [&](std::string_view name, std::string_view value) {
        if (value.empty()) return;
        attrs += " ";
        attrs += name;
        attrs += "=\"" + escape(value) + "\"";
    };
    add("data-url", a.url);
    add("data-url-each", a.each_url);
    add("data-selection", a.selection);
    add("data-confirm", a.confirm);
    add("data-then", a.then);
    add("data-body", a.body);
    add("class", a.style);
    return tag("button", a.label, attrs);
}

std::string select_box(std::string_view value) {
    return "<input type=\"checkbox\" class=\"select\" value=\"" + escape(value) +
           "\" aria-label=\"select " + escape(value) + "\">";
}

}  // namespace ferry::ingress::console
