#include "ferry/profiles/xml_check.hpp"

#include <memory>
#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/XMLString.hpp>

namespace ferry::profiles {
namespace {
namespace x = xercesc;

std::string transcode(const XMLCh* text) {
    char* raw = x::XMLString::transcode(text);
    std::string out = raw ? raw : "";
    x::XMLString::release(&raw);
    return out;
}

/// Stops at the first error and remembers it.
class first_error : public x::DefaultHandler {
public:
    void error(const x::SAXParseException& e) override { keep(e); }
    void fatalError(const x::SAXParseException& e) override { keep(e); }
    std::optional<xml_problem> problem;

private:
    void keep(const x::SAXParseException& e) {
        if (!problem) {
            problem = xml_problem{static_cast<std::size_t>(e.getLineNumber()),
                                  static_cast<std::size_t>(e.getColumnNumber()),
                                  transcode(e.getMessage())};
        }
        throw e;  // abort the parse: the first problem is the one reported
    }
};

/// Refuses every external entity and DTD instead of fetching it.
class refuse_external : public x::DefaultHandler {
public:
    x::InputSource* resolveEntity(const XMLCh* const, const XMLCh* const system_id) override {
        throw x::SAXParseException(
            reinterpret_cast<const XMLCh*>(u"external entities are not allowed"), nullptr,
            system_id, 0, 0);
    }
};

}  // namespace

std::optional<xml_problem> check_xml(std::string_view text) {
    std::unique_ptr<x::SAX2XMLReader> reader(x::XMLReaderFactory::createXMLReader());
    reader->setFeature(x::XMLUni::fgSAX2CoreNameSpaces, true);
    reader->setFeature(x::XMLUni::fgSAX2CoreValidation, false);
    reader->setFeature(x::XMLUni::fgXercesLoadExternalDTD, false);
    reader->setFeature(x::XMLUni::fgXercesDisableDefaultEntityResolution, true);
    reader->setFeature(x::XMLUni::fgSAX2CoreNameSpacePrefixes, false);
    first_error errors;
    refuse_external resolver;
    reader->setErrorHandler(&errors);
    reader->setEntityResolver(&resolver);
    x::MemBufInputSource source(reinterpret_cast<const XMLByte*>(text.data()), text.size(),
                                "request", false);
    try {
        reader->parse(source);
    } catch (const x::SAXParseException& e) {
        if (!errors.problem) {
            return xml_problem{static_cast<std::size_t>(e.getLineNumber()),
                               static_cast<std::size_t>(e.getColumnNumber()),
                               transcode(e.getMessage())};
        }
    } catch (const x::XMLException& e) {
        return xml_problem{0, 0, transcode(e.getMessage())};
    }
    return errors.problem;
}

}  // namespace ferry::profiles
