#pragma once

#include <string>
#include <string_view>

namespace ferry::profiles {

/// Text with the five XML special characters escaped, for element content and attributes.
std::string xml_escaped(std::string_view text);

/// `document` without a leading XML declaration (and the whitespace after it), so that it can
/// be placed inside another element.
std::string_view without_xml_declaration(std::string_view document);

}  // namespace ferry::profiles
