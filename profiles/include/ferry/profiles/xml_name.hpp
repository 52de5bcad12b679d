#pragma once

#include <cctype>
#include <string_view>

namespace ferry::profiles {

/// An element or attribute name as XML profiles, maps and element paths use it: not empty, not
/// starting with a digit, '-' or '.', and without markup, quotes, '=', '/', '@' or white space.
/// No XML name holds those, and a name that did could never match a document, nor be written
/// in a path ("Order/Line/@id").
inline bool valid_xml_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) || name[0] == '-' ||
        name[0] == '.') {
        return false;
    }
    return name.find_first_of("<>&\"'/= \t\r\n@") == std::string_view::npos;
}

}  // namespace ferry::profiles
