// Element paths over the tree, and the parts of element shared by both formats.
#include <algorithm>

#include "ferry/profiles/element.hpp"

namespace ferry::profiles {

const element* element::child(std::string_view wanted) const {
    for (const auto& c : children) {
        if (c.name == wanted) return &c;
    }
    return nullptr;
}

const std::string* element::attribute(std::string_view wanted) const {
    for (const auto& [name, value] : attributes) {
        if (name == wanted) return &value;
    }
    return nullptr;
}

std::vector<const element*> select(const element& root, std::string_view path) {
    std::vector<const element*> current{&root};
    while (!path.empty() && path != ".") {
        const auto slash = path.find('/');
        auto segment = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
        if (segment.empty() || segment == ".") continue;
        // Names in the tree are local; "o:Customer" in a path means Customer.
        if (const auto colon = segment.find(':'); colon != std::string_view::npos) {
            segment.remove_prefix(colon + 1);
        }
        std::vector<const element*> next;
        for (const auto* e : current) {
            for (const auto& c : e->children) {
                if (c.name == segment) next.push_back(&c);
            }
        }
        current = std::move(next);
        if (current.empty()) break;
    }
    return current;
}

std::optional<std::string> value_at(const element& root, std::string_view path) {
    const auto at = path.rfind('@');
    if (at != std::string_view::npos && (at == 0 || path[at - 1] == '/')) {
        for (const auto* e : select(root, path.substr(0, at))) {
            if (const auto* v = e->attribute(path.substr(at + 1))) return *v;
        }
        return std::nullopt;
    }
    const auto found = select(root, path);
    if (found.empty() || found.front()->kind == value_kind::null) return std::nullopt;
    return found.front()->text;
}

boost::system::result<element, std::string> parse_document(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (first != std::string_view::npos && text[first] == '<') {
        auto parsed = parse_xml(text);
        if (!parsed) {
            const auto& p = parsed.error();
            return {boost::system::in_place_error,
                    "the document is not well-formed XML (line " + std::to_string(p.line) +
                        ", column " + std::to_string(p.column) + "): " + p.message};
        }
        return std::move(*parsed);
    }
    auto parsed = parse_json(text);
    if (!parsed) {
        return {boost::system::in_place_error,
                "the document is neither XML nor valid JSON (at byte " +
                    std::to_string(parsed.error().offset) + "): " + parsed.error().message};
    }
    return std::move(*parsed);
}

}  // namespace ferry::profiles
