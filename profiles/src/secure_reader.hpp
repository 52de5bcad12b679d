#pragma once

#include <memory>
#include <string>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>

#include "ferry/profiles/xml_check.hpp"

namespace ferry::profiles::detail {

/// Xerces text as UTF-8 (XMLString::transcode would use the locale's code page).
std::string utf8(const XMLCh* text);
std::string utf8(const XMLCh* text, XMLSize_t length);

/// Makes sure Xerces is initialised for this process (once; released at exit).
void ensure_xml_runtime();

/// A namespace-aware SAX2 reader that refuses external entities and DTDs instead of loading
/// them. Every XML parse in ferry goes through one of these.
std::unique_ptr<xercesc::SAX2XMLReader> make_secure_reader();

/// A problem at a byte offset of `text`, with its 1-based line and column.
xml_problem problem_at(std::string_view text, std::size_t offset, std::string message);

/// Keeps the first error a schema load reports, as "SOURCE:LINE:COLUMN: message" (SOURCE only
/// when Xerces knows the file); warnings are ignored. Loading goes on: read `first` after it.
class schema_error_collector : public xercesc::DefaultHandler {
public:
    void warning(const xercesc::SAXParseException&) override {}
    void error(const xercesc::SAXParseException& e) override { keep(e); }
    void fatalError(const xercesc::SAXParseException& e) override { keep(e); }
    std::string first;

private:
    void keep(const xercesc::SAXParseException& e);
};

/// Parses `text` with `reader` and `handler` (content and error events) and returns the first
/// problem, if any.
std::optional<xml_problem> parse_with(xercesc::SAX2XMLReader& reader,
                                      xercesc::DefaultHandler& handler, std::string_view text);

}  // namespace ferry::profiles::detail
