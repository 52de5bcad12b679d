#pragma once

#include <string>
#include <string_view>

namespace ferry::profiles {

/// Where escaped text goes: a reader treats whitespace differently in the two.
enum class xml_place { text, attribute };

/// Appends `text` escaped so that a reader reads back exactly `text` in that place. A raw
/// carriage return would be read as a line feed (end-of-line handling) and, in an attribute,
/// a raw tab, line feed or carriage return as a space (attribute-value normalisation), so
/// those are written as character references.
void append_xml_escaped(std::string& out, std::string_view text, xml_place where);

/// `text` escaped for an attribute, which is safe in element content too.
std::string xml_escaped(std::string_view text);

/// `document` without a leading XML declaration (and the whitespace after it), so that it can
/// be placed inside another element.
std::string_view without_xml_declaration(std::string_view document);

}  // namespace ferry::profiles
