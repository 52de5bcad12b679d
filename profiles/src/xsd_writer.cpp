// Profile -> XML Schema documents, one per namespace.
#include <functional>

#include "ferry/profiles/date_mask.hpp"
#include "ferry/profiles/xml_text.hpp"
#include "ferry/profiles/xsd.hpp"

namespace ferry::profiles {

struct xsd_builder::schema {
    std::string target_namespace;
    std::map<std::string, std::string> globals;  // element name -> declaration
    std::vector<std::string> global_order;
    std::map<std::string, std::string> date_types;  // mask -> type name
    std::string date_type_text;
    std::set<std::string> imports;
};

namespace {

std::string escaped(std::string_view text) { return xml_escaped(text); }

std::string occurs(const profile_element& e) {
    std::string out;
    if (e.min != 1) out += " minOccurs=\"" + std::to_string(e.min) + "\"";
    if (!e.max) {
        out += " maxOccurs=\"unbounded\"";
    } else if (*e.max != 1) {
        out += " maxOccurs=\"" + std::to_string(*e.max) + "\"";
    }
    return out;
}

}  // namespace

xsd_builder::schema& xsd_builder::schema_of(const std::string& ns) {
    auto& s = schemas_[ns];
    if (!s) {
        s = std::make_shared<schema>();
        s->target_namespace = ns;
    }
    return *s;
}

std::string xsd_builder::prefix(const std::string& ns) {
    if (ns.empty()) return {};
    auto [it, added] = prefixes_.try_emplace(ns, "ns" + std::to_string(prefixes_.size() + 1));
    return it->second + ":";
}

std::string xsd_builder::type_of(value_type type, const std::string& mask,
                                 const std::string& schema_ns) {
    switch (type) {
        case value_type::string:
            return "xs:string";
        case value_type::number:
            return "xs:decimal";
        case value_type::integer:
            return "xs:integer";
        case value_type::boolean:
            return "xs:boolean";
        case value_type::date:
            break;
    }
    auto& s = schema_of(schema_ns);
    auto [it, added] =
        s.date_types.try_emplace(mask, "date" + std::to_string(s.date_types.size() + 1));
    if (added) {
        s.date_type_text += "<xs:simpleType name=\"" + it->second +
                            "\"><xs:restriction base=\"xs:string\"><xs:pattern value=\"" +
                            escaped(mask_pattern(mask)) + "\"/></xs:restriction></xs:simpleType>";
    }
    return prefix(schema_ns) + it->second;
}

std::string xsd_builder::content(const profile_element& e, const std::string& schema_ns,
                                 std::string& error) {
    std::string attributes;
    for (const auto& a : e.attributes) {
        attributes += "<xs:attribute name=\"" + escaped(a.name) + "\" type=\"" +
                      type_of(a.type, a.mask, schema_ns) + "\"" +
                      (a.required ? " use=\"required\"" : "") + "/>";
    }
    if (e.is_leaf()) {
        const auto type = type_of(e.type, e.mask, schema_ns);
        if (attributes.empty()) return " type=\"" + type + "\"/>";
        return "><xs:complexType><xs:simpleContent><xs:extension base=\"" + type + "\">" +
               attributes + "</xs:extension></xs:simpleContent></xs:complexType></xs:element>";
    }
    std::string children;
    for (const auto& c : e.elements) {
        if (e.any_order) {
            auto unbounded = c;
            unbounded.min = 1;
            unbounded.max = 1;
            children += particle(unbounded, schema_ns, error);
        } else {
            children += particle(c, schema_ns, error);
        }
    }
    const std::string group = e.any_order ? "<xs:choice minOccurs=\"0\" maxOccurs=\"unbounded\">" +
                                                children + "</xs:choice>"
                                          : "<xs:sequence>" + children + "</xs:sequence>";
    return "><xs:complexType>" + group + attributes + "</xs:complexType></xs:element>";
}

std::string xsd_builder::global(const profile_element& e, std::string& error) {
    auto& s = schema_of(e.namespace_uri);
    const auto text =
        "<xs:element name=\"" + escaped(e.name) + "\"" + content(e, e.namespace_uri, error);
    const auto [it, added] = s.globals.try_emplace(e.name, text);
    if (added) {
        s.global_order.push_back(e.name);
    } else if (it->second != text && error.empty()) {
        error = "element '" + e.name + "' of namespace '" + e.namespace_uri +
                "' has two different shapes; XML Schema declares it once";
    }
    return prefix(e.namespace_uri) + e.name;
}

std::string xsd_builder::particle(const profile_element& e, const std::string& schema_ns,
                                  std::string& error) {
    if (e.namespace_uri == schema_ns) {
        return "<xs:element name=\"" + escaped(e.name) + "\"" + occurs(e) +
               content(e, schema_ns, error);
    }
    if (e.namespace_uri.empty()) {
        // A local element without a namespace inside a namespaced parent.
        return "<xs:element name=\"" + escaped(e.name) + "\" form=\"unqualified\"" + occurs(e) +
               content(e, schema_ns, error);
    }
    // Another namespace: a global element of that namespace's schema, referred to here.
    const auto ref = global(e, error);
    schema_of(schema_ns).imports.insert(e.namespace_uri);
    return "<xs:element ref=\"" + ref + "\"" + occurs(e) + "/>";
}

boost::system::result<void, std::string> xsd_builder::add(const profile& p) {
    if (p.format != profile_format::xml) {
        return "profile '" + p.name + "' describes JSON; XML Schema is for XML profiles";
    }
    std::string error;
    global(p.root, error);
    if (!error.empty()) return error;
    return {};
}

boost::system::result<std::vector<schema_document>, std::string> xsd_builder::documents() const {
    std::vector<schema_document> out;
    std::map<std::string, int> state;  // 1 visiting, 2 done
    std::string error;
    std::function<void(const std::string&)> visit = [&](const std::string& ns) {
        auto& st = state[ns];
        if (st == 2) return;
        if (st == 1) {
            if (error.empty())
                error = "namespaces '" + ns +
                        "' and another contain each other's "
                        "elements; XML Schema 1.0 documents cannot import in a cycle";
            return;
        }
        st = 1;
        const auto& s = *schemas_.at(ns);
        for (const auto& i : s.imports) visit(i);
        std::string text = R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema")";
        if (!ns.empty()) text += " targetNamespace=\"" + escaped(ns) + "\"";
        for (const auto& [uri, pfx] : prefixes_) {
            text += " xmlns:" + pfx + "=\"" + escaped(uri) + "\"";
        }
        text += R"( elementFormDefault="qualified" attributeFormDefault="unqualified">)";
        for (const auto& i : s.imports) text += "<xs:import namespace=\"" + escaped(i) + "\"/>";
        text += s.date_type_text;
        for (const auto& name : s.global_order) text += s.globals.at(name);
        text += "</xs:schema>";
        out.push_back({ns, std::move(text)});
        st = 2;
    };
    for (const auto& [ns, s] : schemas_) visit(ns);
    if (!error.empty()) return error;
    return out;
}

boost::system::result<std::vector<schema_document>, std::string> write_xsd(const profile& p) {
    xsd_builder builder;
    if (auto added = builder.add(p); !added) return added.error();
    return builder.documents();
}

}  // namespace ferry::profiles
