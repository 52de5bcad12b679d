// XML <-> element tree.
#include <xercesc/sax2/Attributes.hpp>

#include "ferry/profiles/element.hpp"
#include "ferry/profiles/xml_text.hpp"
#include "secure_reader.hpp"

namespace ferry::profiles {
namespace {
namespace x = xercesc;

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

/// Builds the tree from SAX events; the stack holds the open elements.
class tree_builder : public x::DefaultHandler {
public:
    void startElement(const XMLCh* const uri, const XMLCh* const local_name, const XMLCh* const,
                      const x::Attributes& attrs) override {
        element e;
        e.name = detail::utf8(local_name);
        e.namespace_uri = detail::utf8(uri);
        for (XMLSize_t i = 0; i < attrs.getLength(); ++i) {
            e.attributes.emplace_back(detail::utf8(attrs.getLocalName(i)),
                                      detail::utf8(attrs.getValue(i)));
        }
        if (open_.empty()) {
            root = std::move(e);
            open_.push_back(&root);
        } else {
            open_.back()->children.push_back(std::move(e));
            open_.push_back(&open_.back()->children.back());
        }
    }

    void endElement(const XMLCh* const, const XMLCh* const, const XMLCh* const) override {
        auto* e = open_.back();
        // Indentation between children is layout, not content.
        if (!e->children.empty() && blank(e->text)) e->text.clear();
        open_.pop_back();
    }

    void characters(const XMLCh* const chars, const XMLSize_t length) override {
        if (!open_.empty()) open_.back()->text += detail::utf8(chars, length);
    }

    element root;

private:
    // Pointers into the tree stay valid: an element's children only grow while it is the
    // innermost open element, and none of its descendants is open then.
    std::vector<element*> open_;
};

void write(std::string& out, const element& e, bool with_namespace) {
    out.push_back('<');
    out += e.name;
    if (with_namespace && !e.namespace_uri.empty()) {
        out += " xmlns=\"";
        append_xml_escaped(out, e.namespace_uri, xml_place::attribute);
        out.push_back('"');
    }
    for (const auto& [name, value] : e.attributes) {
        out.push_back(' ');
        out += name;
        out += "=\"";
        append_xml_escaped(out, value, xml_place::attribute);
        out.push_back('"');
    }
    if (e.children.empty() && e.text.empty()) {
        out += "/>";
        return;
    }
    out.push_back('>');
    append_xml_escaped(out, e.text, xml_place::text);
    for (const auto& child : e.children) write(out, child, false);
    out += "</";
    out += e.name;
    out.push_back('>');
}

}  // namespace

boost::system::result<element, xml_problem> parse_xml(std::string_view text) {
    auto reader = detail::make_secure_reader();
    tree_builder builder;
    if (auto problem = detail::parse_with(*reader, builder, text)) return *problem;
    return std::move(builder.root);
}

std::string write_xml(const element& root, bool declaration) {
    std::string out;
    if (declaration) out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
    write(out, root, true);
    return out;
}

}  // namespace ferry::profiles
