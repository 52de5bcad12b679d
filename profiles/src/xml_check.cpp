#include "ferry/profiles/xml_check.hpp"

#include "secure_reader.hpp"

namespace ferry::profiles {

std::optional<xml_problem> check_xml(std::string_view text) {
    auto reader = detail::make_secure_reader();
    xercesc::DefaultHandler ignore_content;
    return detail::parse_with(*reader, ignore_content, text);
}

}  // namespace ferry::profiles
