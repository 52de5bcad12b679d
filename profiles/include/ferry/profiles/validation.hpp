#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/profiles/profile.hpp"

namespace ferry::profiles {

/// The first place where a document breaks its profile.
struct violation {
    std::string path;  // "/Order/line[2]/qty" (XML, from the root element), "/lines[2]/qty" (JSON)
    std::size_t line = 0;    // 1-based
    std::size_t column = 0;  // 1-based
    std::string rule;        // what was broken, e.g. "type integer", "min 1", "not in the profile"
    std::string message;     // a sentence for people
    /// "at PATH (line L, column C): MESSAGE".
    std::string describe() const;
};

/// A profile made ready to check documents (SPEC §6): JSON documents are walked against the
/// profile; XML documents are validated by Xerces-C++ against the XSD the profile generates,
/// with DTDs, external entities and schema hints in the document refused.
///
/// Concurrency: check() is thread-safe (the compiled grammar is shared read-only, a parser is
/// made per call). Requires the Xerces runtime (started on first use).
class validator {
public:
    /// Fails with a sentence when the profile cannot be compiled (see xsd_builder).
    [[nodiscard]] static boost::system::result<std::shared_ptr<const validator>, std::string>
    compile(profiles::profile p);
    ~validator();
    validator(const validator&) = delete;
    validator& operator=(const validator&) = delete;

    /// The first problem of `document` (which must be of the profile's format; a document that
    /// is not well-formed is a problem too), or nothing when it fits.
    std::optional<violation> check(std::string_view document) const;

    const profiles::profile& profile() const { return profile_; }

private:
    explicit validator(profiles::profile p);
    std::optional<violation> check_xml(std::string_view document) const;

    profiles::profile profile_;
    struct grammar;
    std::unique_ptr<grammar> grammar_;  // XML profiles only
};

/// Walks a JSON document against a JSON profile.
std::optional<violation> check_json(const profile& p, std::string_view document);

}  // namespace ferry::profiles
