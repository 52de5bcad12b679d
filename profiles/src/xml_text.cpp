#include "ferry/profiles/xml_text.hpp"

namespace ferry::profiles {

void append_xml_escaped(std::string& out, std::string_view text, xml_place where) {
    const bool attribute = where == xml_place::attribute;
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '\r':
                out += "&#13;";
                break;
            case '"':
                out += attribute ? "&quot;" : "\"";
                break;
            case '\'':
                out += attribute ? "&apos;" : "'";
                break;
            case '\t':
                out += attribute ? "&#9;" : "\t";
                break;
            case '\n':
                out += attribute ? "&#10;" : "\n";
                break;
            default:
                out.push_back(c);
        }
    }
}

std::string xml_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_xml_escaped(out, text, xml_place::attribute);
    return out;
}

std::string_view without_xml_declaration(std::string_view document) {
    const auto start = document.find_first_not_of(" \t\r\n");
    if (start != std::string_view::npos && document.substr(start, 5) == "<?xml") {
        const auto end = document.find("?>", start);
        if (end != std::string_view::npos) document.remove_prefix(end + 2);
    }
    const auto body = document.find_first_not_of(" \t\r\n");
    return body == std::string_view::npos ? std::string_view() : document.substr(body);
}

}  // namespace ferry::profiles
