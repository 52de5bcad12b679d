// The WSDL of the SOAP endpoints, generated from the operations' profiles.
#include "ferry/profiles/wsdl.hpp"

#include <map>

#include "ferry/profiles/soap_envelope.hpp"
#include "ferry/profiles/xml_text.hpp"

namespace ferry::profiles {
namespace {

constexpr std::string_view wsdl_ns = "http://schemas.xmlsoap.org/wsdl/";

// Prefixes of the profile namespaces the wrappers' schema refers to.
class namespace_prefixes {
public:
    std::string ref(const profile& p) {
        const auto& ns = p.root.namespace_uri;
        if (ns.empty()) return xml_escaped(p.root.name);
        auto [it, added] = prefixes_.try_emplace(ns, "p" + std::to_string(prefixes_.size() + 1));
        return it->second + ":" + xml_escaped(p.root.name);
    }
    std::string declarations() const {
        std::string out;
        for (const auto& [ns, prefix] : prefixes_) {
            out += " xmlns:" + prefix + "=\"" + xml_escaped(ns) + "\"";
        }
        return out;
    }

private:
    std::map<std::string, std::string> prefixes_;
};

// What a message holds: the profile's root element, or any element when there is no profile.
std::string document_particle(const profile* p, namespace_prefixes& prefixes,
                              std::string_view occurs) {
    if (!p) return "<xs:any processContents=\"lax\"" + std::string(occurs) + "/>";
    return "<xs:element ref=\"" + prefixes.ref(*p) + "\"" + std::string(occurs) + "/>";
}

std::string sequence_element(const std::string& name, const std::string& content,
                             const std::string& attributes = {}) {
    return "<xs:element name=\"" + xml_escaped(name) + "\"><xs:complexType><xs:sequence>" +
           content + "</xs:sequence>" + attributes + "</xs:complexType></xs:element>";
}

std::string request_element(const wsdl_operation& op, namespace_prefixes& prefixes) {
    switch (op.input) {
        case message_shape::none:
            return sequence_element(op.name, "");
        case message_shape::one:
            return sequence_element(op.name, document_particle(op.request, prefixes, ""));
        case message_shape::list:
            return sequence_element(
                op.name,
                sequence_element(op.object + "List",
                                 document_particle(op.request, prefixes,
                                                   " minOccurs=\"0\" maxOccurs=\"unbounded\"")));
    }
    return {};
}

std::string response_element(const wsdl_operation& op, namespace_prefixes& prefixes) {
    const auto name = op.name + "Response";
    switch (op.output) {
        case message_shape::none:
            return sequence_element(
                name,
                "<xs:element name=\"executionId\" type=\"xs:string\"/>"
                "<xs:element name=\"documentCount\" type=\"xs:long\"/>"
                "<xs:element name=\"documentId\" type=\"xs:string\" minOccurs=\"0\" "
                "maxOccurs=\"unbounded\"/>"
                "<xs:element name=\"durability\" type=\"xs:string\"/>");
        case message_shape::one:
            return sequence_element(name,
                                    document_particle(op.response, prefixes, " minOccurs=\"0\""));
        case message_shape::list:
            return sequence_element(
                name,
                sequence_element(op.object + "ResponseList",
                                 document_particle(op.response, prefixes,
                                                   " minOccurs=\"0\" maxOccurs=\"unbounded\""),
                                 "<xs:attribute name=\"moreDataToken\" type=\"xs:string\"/>"));
    }
    return {};
}

// Every WSDL operation: the operations, and the MoreResults of each that answers a list.
struct wire_operation {
    std::string name;
    std::string input_element;
    std::string output_element;
};

std::vector<wire_operation> wire_operations(std::span<const wsdl_operation> operations) {
    std::vector<wire_operation> out;
    for (const auto& op : operations) {
        out.push_back({op.name, op.name, op.name + "Response"});
        if (op.output == message_shape::list) {
            out.push_back({op.name + "MoreResults", op.name + "MoreResults", op.name + "Response"});
        }
    }
    return out;
}

std::string binding(std::string_view name, std::string_view soap_prefix,
                    const std::vector<wire_operation>& ops) {
    std::string out =
        "<wsdl:binding name=\"" + std::string(name) + "\" type=\"wss:ferryPortType\"><" +
        std::string(soap_prefix) +
        ":binding style=\"document\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>";
    for (const auto& op : ops) {
        out += "<wsdl:operation name=\"" + xml_escaped(op.name) + "\"><" +
               std::string(soap_prefix) + ":operation soapAction=\"" + xml_escaped(op.name) +
               "\" style=\"document\"/><wsdl:input><" + std::string(soap_prefix) +
               ":body use=\"literal\"/></wsdl:input><wsdl:output><" + std::string(soap_prefix) +
               ":body use=\"literal\"/></wsdl:output></wsdl:operation>";
    }
    return out + "</wsdl:binding>";
}

// Multi mode: every import says where its schema is.
std::string with_locations(std::string text, const std::map<std::string, std::string>& urls) {
    for (const auto& [ns, url] : urls) {
        const auto plain = ns.empty() ? std::string("<xs:import/>")
                                      : "<xs:import namespace=\"" + xml_escaped(ns) + "\"/>";
        const auto located = (ns.empty() ? std::string("<xs:import")
                                         : "<xs:import namespace=\"" + xml_escaped(ns) + "\"") +
                             " schemaLocation=\"" + xml_escaped(url) + "\"/>";
        for (auto at = text.find(plain); at != std::string::npos; at = text.find(plain, at)) {
            text.replace(at, plain.size(), located);
            at += located.size();
        }
    }
    return text;
}

}  // namespace

boost::system::result<service_description, std::string> describe_service(
    std::span<const wsdl_operation> operations, const wsdl_options& options) {
    xsd_builder builder;
    std::map<std::string, const profile*> added;  // by name: one profile may serve several
    for (const auto& op : operations) {
        for (const auto* p : {op.request, op.response}) {
            if (!p || !added.try_emplace(p->name, p).second) continue;
            if (auto ok = builder.add(*p); !ok) {
                return {boost::system::in_place_error,
                        "operation '" + op.name + "': " + ok.error()};
            }
        }
    }
    auto profile_schemas = builder.documents();
    if (!profile_schemas) return {boost::system::in_place_error, profile_schemas.error()};

    namespace_prefixes prefixes;
    std::string elements;
    for (const auto& op : operations) {
        elements += request_element(op, prefixes);
        elements += response_element(op, prefixes);
        if (op.output == message_shape::list) {
            elements += sequence_element(op.name + "MoreResults",
                                         "<xs:element name=\"moreDataToken\" type=\"xs:string\"/>");
        }
    }
    std::string imports;
    for (const auto& s : *profile_schemas) {
        imports += s.target_namespace.empty()
                       ? std::string("<xs:import/>")
                       : "<xs:import namespace=\"" + xml_escaped(s.target_namespace) + "\"/>";
    }
    service_description out;
    out.schemas = std::move(*profile_schemas);
    out.schemas.push_back({std::string(wss_namespace),
                           "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                           "targetNamespace=\"" +
                               std::string(wss_namespace) + "\"" + prefixes.declarations() +
                               " elementFormDefault=\"qualified\">" + imports + elements +
                               "</xs:schema>"});
    if (!options.single) {
        std::map<std::string, std::string> urls;
        for (std::size_t i = 0; i < out.schemas.size(); ++i) {
            // Elements without a namespace stay inside the WSDL: a schema without a target
            // namespace fetched by URL is read by some toolkits (zeep) as a chameleon schema
            // of the namespace importing it.
            if (out.schemas[i].target_namespace.empty()) continue;
            urls[out.schemas[i].target_namespace] = options.schema_url + std::to_string(i + 1);
        }
        for (auto& s : out.schemas) s.text = with_locations(std::move(s.text), urls);
    }

    const auto ops = wire_operations(operations);
    auto& w = out.wsdl;
    w = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><wsdl:definitions xmlns:wsdl=\"" +
        std::string(wsdl_ns) +
        "\" xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\" "
        "xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\" "
        "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:wss=\"" +
        std::string(wss_namespace) + "\" targetNamespace=\"" + std::string(wss_namespace) +
        "\" name=\"ferry\"><wsdl:types>";
    if (options.single) {
        for (const auto& s : out.schemas) w += s.text;
    } else {
        for (const auto& s : out.schemas) {
            if (s.target_namespace.empty()) w += s.text;
        }
        // One small schema that pulls in the wrappers' schema (which imports the rest).
        w += "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:import namespace=\"" +
             std::string(wss_namespace) + "\" schemaLocation=\"" +
             xml_escaped(options.schema_url + std::to_string(out.schemas.size())) +
             "\"/></xs:schema>";
    }
    w += "</wsdl:types>";
    for (const auto& op : ops) {
        w += "<wsdl:message name=\"" + xml_escaped(op.name) +
             "Request\"><wsdl:part name=\"parameters\" element=\"wss:" +
             xml_escaped(op.input_element) + "\"/></wsdl:message>";
        w += "<wsdl:message name=\"" + xml_escaped(op.name) +
             "Reply\"><wsdl:part name=\"parameters\" element=\"wss:" +
             xml_escaped(op.output_element) + "\"/></wsdl:message>";
    }
    w += "<wsdl:portType name=\"ferryPortType\">";
    for (const auto& op : ops) {
        w += "<wsdl:operation name=\"" + xml_escaped(op.name) +
             "\"><wsdl:input message=\"wss:" + xml_escaped(op.name) +
             "Request\"/><wsdl:output message=\"wss:" + xml_escaped(op.name) +
             "Reply\"/></wsdl:operation>";
    }
    w += "</wsdl:portType>";
    w += binding("ferrySoapBinding", "soap", ops);
    w += binding("ferrySoap12Binding", "soap12", ops);
    w += "<wsdl:service name=\"ferry\"><wsdl:port name=\"ferrySoap\" "
         "binding=\"wss:ferrySoapBinding\">"
         "<soap:address location=\"" +
         xml_escaped(options.base_url + "/ws/soap" + options.endpoint_suffix) +
         "\"/></wsdl:port>"
         "<wsdl:port name=\"ferrySoap12\" binding=\"wss:ferrySoap12Binding\"><soap12:address "
         "location=\"" +
         xml_escaped(options.base_url + "/ws/soap12" + options.endpoint_suffix) +
         "\"/></wsdl:port></wsdl:service></wsdl:definitions>";
    return out;
}

}  // namespace ferry::profiles
