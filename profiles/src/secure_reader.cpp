#include "secure_reader.hpp"

#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/TransService.hpp>

#include "ferry/profiles/utf8.hpp"
#include "ferry/profiles/xml_runtime.hpp"

namespace ferry::profiles::detail {
namespace x = xercesc;

std::string utf8(const XMLCh* text) {
    if (!text) return {};
    x::TranscodeToStr out(text, "UTF-8");
    return std::string(reinterpret_cast<const char*>(out.str()), out.length());
}

std::string utf8(const XMLCh* text, XMLSize_t length) {
    if (!text || length == 0) return {};
    x::TranscodeToStr out(text, length, "UTF-8");
    return std::string(reinterpret_cast<const char*>(out.str()), out.length());
}

void ensure_xml_runtime() {
    // Xerces counts Initialize/Terminate pairs, so this coexists with an xml_runtime in main.
    static const xml_runtime runtime;
}

namespace {

/// Refuses every external entity and DTD instead of fetching it.
class refuse_external : public x::DefaultHandler {
public:
    x::InputSource* resolveEntity(const XMLCh* const, const XMLCh* const system_id) override {
        throw x::SAXParseException(
            reinterpret_cast<const XMLCh*>(u"external entities are not allowed"), nullptr,
            system_id, 0, 0);
    }
};

/// Forwards content to the caller's handler and stops at the first error, remembering it.
class first_error : public x::DefaultHandler {
public:
    void error(const x::SAXParseException& e) override { keep(e); }
    void fatalError(const x::SAXParseException& e) override { keep(e); }
    std::optional<xml_problem> problem;

private:
    void keep(const x::SAXParseException& e) {
        if (!problem) {
            problem =
                xml_problem{static_cast<std::size_t>(e.getLineNumber()),
                            static_cast<std::size_t>(e.getColumnNumber()), utf8(e.getMessage())};
        }
        throw e;  // abort the parse: the first problem is the one reported
    }
};

/// Refuses any DOCTYPE: even an internal subset can declare entities that expand without bound
/// ("billion laughs"), and a request document has no use for one.
class refuse_doctype : public x::DefaultHandler {
public:
    void startDTD(const XMLCh* const, const XMLCh* const, const XMLCh* const) override {
        throw x::SAXParseException(reinterpret_cast<const XMLCh*>(doctype_refused), nullptr,
                                   nullptr, 0, 0);
    }
    static constexpr char16_t doctype_refused[] =
        u"DOCTYPE declarations are not allowed (DTDs and entities are never loaded)";
};

}  // namespace

void schema_error_collector::keep(const x::SAXParseException& e) {
    if (!first.empty()) return;
    const auto source = utf8(e.getSystemId());
    first = (source.empty() ? std::string() : source + ":") + std::to_string(e.getLineNumber()) +
            ":" + std::to_string(e.getColumnNumber()) + ": " + utf8(e.getMessage());
}

xml_problem problem_at(std::string_view text, std::size_t offset, std::string message) {
    xml_problem p{1, 1, std::move(message)};
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

std::unique_ptr<x::SAX2XMLReader> make_secure_reader() {
    ensure_xml_runtime();
    std::unique_ptr<x::SAX2XMLReader> reader(x::XMLReaderFactory::createXMLReader());
    reader->setFeature(x::XMLUni::fgSAX2CoreNameSpaces, true);
    reader->setFeature(x::XMLUni::fgSAX2CoreValidation, false);
    reader->setFeature(x::XMLUni::fgXercesLoadExternalDTD, false);
    reader->setFeature(x::XMLUni::fgXercesDisableDefaultEntityResolution, true);
    reader->setFeature(x::XMLUni::fgSAX2CoreNameSpacePrefixes, false);
    return reader;
}

// A problem Xerces gives no place for (mostly a byte its UTF-8 decoder cannot read): placed at
// the first byte that is not UTF-8, or at the start.
xml_problem unplaced(std::string_view text, std::string message) {
    const auto bad = first_invalid_utf8(text);
    return problem_at(text, bad == std::string_view::npos ? 0 : bad, std::move(message));
}

std::optional<xml_problem> parse_with(x::SAX2XMLReader& reader, x::DefaultHandler& handler,
                                      std::string_view text) {
    first_error errors;
    static refuse_external resolver;  // stateless
    static refuse_doctype doctypes;   // stateless
    reader.setContentHandler(&handler);
    reader.setLexicalHandler(&doctypes);
    reader.setErrorHandler(&errors);
    reader.setEntityResolver(&resolver);
    x::MemBufInputSource source(reinterpret_cast<const XMLByte*>(text.data()), text.size(),
                                "document", false);
    try {
        reader.parse(source);
    } catch (const x::SAXParseException& e) {
        if (e.getMessage() && std::u16string_view(reinterpret_cast<const char16_t*>(
                                  e.getMessage())) == refuse_doctype::doctype_refused) {
            const auto at = text.find("<!DOCTYPE");
            return problem_at(text, at == std::string_view::npos ? 0 : at, utf8(e.getMessage()));
        }
        if (!errors.problem && e.getLineNumber() > 0) {
            return xml_problem{static_cast<std::size_t>(e.getLineNumber()),
                               static_cast<std::size_t>(e.getColumnNumber()), utf8(e.getMessage())};
        }
        if (!errors.problem) return unplaced(text, utf8(e.getMessage()));
    } catch (const x::XMLException& e) {
        return unplaced(text, utf8(e.getMessage()));
    }
    if (errors.problem && errors.problem->line == 0) {
        return unplaced(text, std::move(errors.problem->message));
    }
    return errors.problem;
}

}  // namespace ferry::profiles::detail
