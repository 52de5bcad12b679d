#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/profiles/xml_check.hpp"

namespace boost::json {
class value;
}

namespace ferry::profiles {

/// What a leaf held in JSON, so that a value keeps its JSON type through a map.
enum class value_kind { text, number, boolean, null };

/// One element of a document, XML or JSON, in a shape both share: a name, attributes (XML),
/// text, and ordered children, where a repeated name is a repeated element (XML) or an array
/// (JSON). Maps, element-path variables and (later) profiles work on this tree.
struct element {
    std::string name;  // local name, without namespace prefix; JSON keys as they are
    std::string namespace_uri;
    std::vector<std::pair<std::string, std::string>> attributes;
    std::string text;
    value_kind kind = value_kind::text;
    bool array = false;      // JSON: always written as an array element, even when alone
    bool object = false;     // JSON: was an object (so that {} is not taken for "")
    std::size_t offset = 0;  // JSON: where the value starts in the parsed text (for errors)
    std::vector<element> children;

    bool is_leaf() const { return children.empty() && attributes.empty(); }
    const element* child(std::string_view name) const;
    const std::string* attribute(std::string_view name) const;
};

/// Parses XML into a tree, namespace-aware, with external entities and DTD loading refused.
/// Whitespace-only text between child elements is dropped.
[[nodiscard]] boost::system::result<element, xml_problem> parse_xml(std::string_view text);

/// Writes a tree as XML (UTF-8, escaped). The root's namespace_uri becomes a default xmlns.
std::string write_xml(const element& root, bool declaration = true);

/// A JSON value as a tree: object members become children in order, an array member becomes
/// one child per item (all with the member's name), scalars become text with their kind.
/// A top-level array gives a root with one "item" child per element.
element from_json(const boost::json::value& value, std::string name = {});

/// Why a text is not JSON, with the 1-based offset of the problem.
struct json_problem {
    std::size_t offset = 0;
    std::string message;
};
/// Parses JSON text into a tree (as from_json), keeping every number exactly as written.
[[nodiscard]] boost::system::result<element, json_problem> parse_json(std::string_view text);

/// The tree as JSON: children with the same name (or marked `array`) become an array,
/// leaves become strings, numbers, booleans or null by their kind, attributes become
/// "@name" members. A root whose only child is a repeated "item" comes back as an array.
std::string write_json(const element& root);

/// Parses either format, choosing by the first non-blank character ('<' is XML).
[[nodiscard]] boost::system::result<element, std::string> parse_document(std::string_view text);

/// Element paths: segments separated by '/', relative to the root element ("Customer/Name");
/// a last segment "@id" names an attribute; "." or "" is the root itself.
/// All elements the path reaches, in document order (repeated elements give several).
std::vector<const element*> select(const element& root, std::string_view path);

/// The text of the first element (or attribute) the path reaches, if any.
std::optional<std::string> value_at(const element& root, std::string_view path);

}  // namespace ferry::profiles
