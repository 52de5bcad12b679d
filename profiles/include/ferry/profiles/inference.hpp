#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <vector>

#include "ferry/profiles/profile.hpp"

namespace ferry::profiles {

/// Infers a profile from one or more sample documents, all XML or all JSON (SPEC §6):
/// - structure: every element or member seen, in first-seen order; XML attributes;
/// - repetition: an element seen more than once under one parent (or a JSON array) repeats
///   without bound; one missing from some parent is optional (min 0), as is an attribute
///   missing from some element;
/// - order: XML children that interleave (a, b, a) or come in different orders in different
///   samples get `order: any`;
/// - types: a value's type is the narrowest that every sample value fits: integer, number,
///   boolean, date (masks yyyy-MM-dd'T'HH:mm:ss.SSS, yyyy-MM-dd'T'HH:mm:ss,
///   yyyy-MM-dd HH:mm:ss, yyyy-MM-dd, with or without a literal 'Z'), else string. JSON
///   numbers and booleans keep their JSON kind; a JSON null makes a member nullable.
/// Fails with a sentence for a sample that does not parse or whose root differs from the
/// first sample's.
[[nodiscard]] boost::system::result<profile, std::string> infer_profile(
    const std::vector<std::string>& samples, std::string name);

}  // namespace ferry::profiles
