#include "ferry/profiles/xml_text.hpp"

namespace ferry::profiles {

std::string xml_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
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
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out.push_back(c);
        }
    }
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
