#include "ferry/profiles/soap_envelope.hpp"

#include "xml_scanner.hpp"

namespace ferry::profiles {
namespace {

using detail::xml_scanner;

soap_problem shape_problem(const xml_scanner& scan, std::string message) {
    return {scan.problem(std::move(message)), false};
}

bool is_true(std::string_view value) { return value == "1" || value == "true"; }

// The Header's blocks: ferry acts on none of them, so each one marked mustUnderstand is named.
void read_header(xml_scanner& scan, std::string_view header_tag, soap_request& out) {
    if (xml_scanner::empty_tag(header_tag)) return;
    while (scan.next_in_element() == xml_scanner::content::element) {
        const auto at = scan.position();
        const auto tag = scan.start_tag();
        for (const auto& [name, value] : xml_scanner::attributes(tag)) {
            if (xml_scanner::local_name(name) == "mustUnderstand" && is_true(value)) {
                out.must_understand.emplace_back(xml_scanner::tag_name(tag));
            }
        }
        scan.move_to(at);
        scan.skip_element();
    }
    scan.skip_end_tag();
}

}  // namespace

boost::system::result<soap_request, soap_problem> read_soap_envelope(std::string_view text) {
    if (auto problem = check_xml(text)) return soap_problem{*problem, false};
    xml_scanner scan(text);
    if (!scan.skip_to_root()) return shape_problem(scan, "the request has no root element");
    const auto envelope_tag = scan.start_tag();
    const auto envelope_name = xml_scanner::tag_name(envelope_tag);
    auto scope = xml_scanner::declarations(envelope_tag);
    const auto envelope_ns = xml_scanner::namespace_of(scope, xml_scanner::prefix(envelope_name));
    soap_request out;
    if (xml_scanner::local_name(envelope_name) != "Envelope") {
        scan.move_to(0);
        scan.skip_to_root();
        return shape_problem(scan, "the root element must be a SOAP <Envelope>, not <" +
                                       std::string(envelope_name) + ">");
    }
    if (envelope_ns == soap11_namespace) {
        out.version = soap_version::v1_1;
    } else if (envelope_ns == soap12_namespace) {
        out.version = soap_version::v1_2;
    } else {
        scan.move_to(0);
        scan.skip_to_root();
        return soap_problem{
            scan.problem("the Envelope is in the namespace '" + envelope_ns +
                         "', which is neither SOAP 1.1 (" + std::string(soap11_namespace) +
                         ") nor SOAP 1.2 (" + std::string(soap12_namespace) + ")"),
            true};
    }
    if (xml_scanner::empty_tag(envelope_tag))
        return shape_problem(scan, "the Envelope has no Body");
    bool body_seen = false;
    while (!body_seen) {
        if (scan.next_in_element() != xml_scanner::content::element) {
            return shape_problem(scan, "the Envelope has no Body");
        }
        const auto tag = scan.start_tag();
        const auto name = xml_scanner::tag_name(tag);
        const bool in_envelope_ns =
            xml_scanner::namespace_of(scope, xml_scanner::prefix(name)) == envelope_ns ||
            xml_scanner::namespace_of(xml_scanner::declarations(tag), xml_scanner::prefix(name)) ==
                envelope_ns;
        if (xml_scanner::local_name(name) == "Header" && in_envelope_ns) {
            read_header(scan, tag, out);
            continue;
        }
        if (xml_scanner::local_name(name) != "Body" || !in_envelope_ns) {
            return shape_problem(scan,
                                 "expected the SOAP Header or Body inside the Envelope, not <" +
                                     std::string(name) + ">");
        }
        body_seen = true;
        scope = detail::in_scope(std::move(scope), xml_scanner::declarations(tag));
        if (xml_scanner::empty_tag(tag)) {
            return shape_problem(scan,
                                 "the SOAP Body is empty; it must hold the operation's element");
        }
    }
    if (scan.next_in_element() != xml_scanner::content::element) {
        return shape_problem(scan, "the SOAP Body must hold the operation's element");
    }
    const auto operation_tag = scan.start_tag();
    const auto operation_name = xml_scanner::tag_name(operation_tag);
    scope = detail::in_scope(std::move(scope), xml_scanner::declarations(operation_tag));
    out.operation = std::string(xml_scanner::local_name(operation_name));
    out.operation_namespace = xml_scanner::namespace_of(scope, xml_scanner::prefix(operation_name));
    if (!xml_scanner::empty_tag(operation_tag)) {
        for (;;) {
            const auto next = scan.next_in_element();
            if (next == xml_scanner::content::end) break;
            if (next == xml_scanner::content::text) {
                return shape_problem(scan, "text directly inside <" + std::string(operation_name) +
                                               "> is not a document; the operation's element "
                                               "holds elements only");
            }
            const auto begin = scan.position();
            const auto where = detail::problem_at(text, begin, {});
            const auto name_end = 1 + xml_scanner::tag_name(text.substr(begin)).size();
            out.payload.push_back(scan.cut_element(scope));
            const auto added = out.payload.back().size() - (scan.position() - begin);
            out.origins.push_back({where.line, where.column, name_end, added});
        }
        scan.skip_end_tag();
    }
    if (scan.next_in_element() == xml_scanner::content::element) {
        return shape_problem(scan,
                             "the SOAP Body holds more than one element; one operation per "
                             "request");
    }
    return out;
}

std::pair<std::size_t, std::size_t> soap_request::in_envelope(std::size_t index, std::size_t line,
                                                              std::size_t column) const {
    if (index >= origins.size() || line == 0) return {line, column};
    const auto& o = origins[index];
    if (line > 1) return {o.line + line - 1, column};
    // Line 1 holds the start tag, lengthened by the added declarations.
    if (column > o.added_at + o.added) {
        column -= o.added;
    } else if (column > o.added_at) {
        column = o.added_at + 1;
    }
    return {o.line, o.column + column - 1};
}

std::string soap_envelope(soap_version version, std::string_view body_content) {
    const auto ns = version == soap_version::v1_1 ? soap11_namespace : soap12_namespace;
    std::string out;
    out.reserve(body_content.size() + 160);
    out += R"(<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap=")";
    out += ns;
    out += R"("><soap:Body>)";
    out += body_content;
    out += "</soap:Body></soap:Envelope>";
    return out;
}

}  // namespace ferry::profiles
