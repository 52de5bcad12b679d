#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/profiles/xml_check.hpp"

namespace ferry::profiles {

/// Splits a list document — a root element named `root_name` (in any namespace, e.g.
/// `<ObjectList>` or the SOAP list wrapper) — into one document per child element, without the
/// wrapper. Each child keeps its exact bytes; namespace declarations made on the root are
/// copied onto the child (unless it redeclares them) so that every piece stands alone.
/// The text is checked for well-formedness first (secure parser: no DTD, no external entity).
/// Text other than whitespace directly inside the root is refused.
[[nodiscard]] boost::system::result<std::vector<std::string>, xml_problem> split_xml_list(
    std::string_view text, std::string_view root_name = "ObjectList");

}  // namespace ferry::profiles
