#pragma once

#include <boost/system/result.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/profiles/profile.hpp"

namespace ferry::profiles {

/// One XML Schema document: the schema of one target namespace ("" = no namespace).
struct schema_document {
    std::string target_namespace;
    std::string text;
};

/// Builds the XML Schema (XSD 1.0) of one or more XML profiles (SPEC §6): one document per
/// namespace their elements use, ordered so that each comes after the namespaces it imports
/// (imports carry no schemaLocation: a grammar pool or a WSDL's types section holds them all).
/// Each profile's root is a global element of its namespace's document. Types: string,
/// decimal (number), integer, boolean, and date as a string whose pattern follows the mask;
/// `order: any` becomes a repeated choice.
/// Not thread-safe (a builder per use).
class xsd_builder {
public:
    /// Adds a profile's elements. Fails with a sentence when they cannot be written as XSD
    /// 1.0 next to what is there: a JSON profile, or one global name with two shapes.
    [[nodiscard]] boost::system::result<void, std::string> add(const profile& p);
    /// The documents; fails when namespaces import each other in a cycle.
    [[nodiscard]] boost::system::result<std::vector<schema_document>, std::string> documents()
        const;

private:
    struct schema;
    std::string particle(const profile_element& e, const std::string& schema_ns,
                         std::string& error);
    std::string content(const profile_element& e, const std::string& schema_ns, std::string& error);
    std::string global(const profile_element& e, std::string& error);
    std::string type_of(value_type type, const std::string& mask, const std::string& schema_ns);
    schema& schema_of(const std::string& ns);
    std::string prefix(const std::string& ns);

    std::map<std::string, std::shared_ptr<schema>> schemas_;
    std::map<std::string, std::string> prefixes_;
};

/// The schema of one XML profile (xsd_builder with one profile).
[[nodiscard]] boost::system::result<std::vector<schema_document>, std::string> write_xsd(
    const profile& p);

/// Reads an XSD (with the xs:include / xs:import files beside it, never from the network)
/// through Xerces' grammar loader and turns global element `root` (or the first one when
/// empty) into an XML profile called `name`.
[[nodiscard]] boost::system::result<profile, std::string> import_xsd(const std::string& xsd_file,
                                                                     std::string_view root,
                                                                     std::string name);

}  // namespace ferry::profiles
