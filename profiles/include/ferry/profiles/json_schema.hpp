#pragma once

#include <boost/json/object.hpp>

#include "ferry/profiles/profile.hpp"

namespace ferry::profiles {

/// The OpenAPI 3.0 Schema Object (the JSON Schema subset OpenAPI 3.0.3 takes) of a profile's
/// documents: types and formats (a date as a string with its mask's pattern, `format: date`
/// for yyyy-MM-dd), required members, repetition as arrays with minItems / maxItems, nullable
/// values, and for XML profiles the element and attribute names and namespaces (`xml`).
boost::json::object openapi_schema(const profile& p);

/// A regular expression (ECMA-262, as JSON Schema's `pattern` takes it) that the text of an
/// XML document of profile `p` matches: the elements in their order and numbers, the values
/// by type, required attributes present. For validators that see an XML body as text (Prism);
/// namespaces are not checked (any prefix), nor comments between elements allowed.
std::string xml_document_pattern(const profile& p);

/// mask_pattern() as ECMA-262 takes it in unicode mode (no escaped '-' outside a class).
std::string ecma_mask_pattern(std::string_view mask);

}  // namespace ferry::profiles
