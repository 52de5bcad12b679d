#include "ferry/profiles/xml_runtime.hpp"

#include <xercesc/util/PlatformUtils.hpp>

namespace ferry::profiles {

xml_runtime::xml_runtime() { xercesc::XMLPlatformUtils::Initialize(); }
xml_runtime::~xml_runtime() { xercesc::XMLPlatformUtils::Terminate(); }

}  // namespace ferry::profiles
